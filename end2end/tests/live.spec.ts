import { expect, test } from "@playwright/test";
import { collectErrors, signIn } from "./support";

// An administrator and a signed-in user, each in their own browser context:
// a message arrives live as a green box in the user's top-right corner and
// goes away by itself; Force Sign Out sends the user's tab to the sign-in
// page at once.
test("a message appears live in the user's top-right corner; Force Sign Out moves them to /login", async ({ page, browser }) => {
  const errors = collectErrors(page);
  const userContext = await browser.newContext();
  const user = await userContext.newPage();
  const userErrors = collectErrors(user);
  await signIn(user, "mia");
  await expect(user).toHaveURL(/\/account$/);

  await signIn(page, "admin");
  await page.goto("/users?q=mia");
  await expect(async () => {
    await page.getByRole("checkbox", { name: "Select mia", exact: true }).check();
    await expect(page.locator(".selection-count")).toHaveText("1 user selected", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });

  // The text is shown as written, never as HTML.
  const text = "Coffee in the <b>kitchen</b> at 3";
  await page.getByRole("button", { name: "Send Message to User(s)" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("To 1 user.");
  await dialog.getByRole("button", { name: "Send" }).click();
  await expect(dialog.getByText("Write a message first.")).toBeVisible();
  await dialog.getByLabel("Message").fill(text);
  await expect(dialog.getByText(`${text.length} / 1000 characters`)).toBeVisible();
  await dialog.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Message sent to 1 user: 1 received it in 1 tab." })).toBeVisible();

  const toast = user.getByRole("status").filter({ hasText: text });
  await expect(toast).toBeVisible();
  await expect(toast).toContainText("From Ada Admin at");
  await expect(user.locator("b")).toHaveCount(0);
  // Green, in the top-right corner.
  const colour = await toast.evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(colour).toBe("rgb(30, 125, 50)");
  const box = await toast.boundingBox();
  const viewport = user.viewportSize();
  expect(box && viewport).toBeTruthy();
  expect(box!.y).toBeLessThan(100);
  expect(box!.x + box!.width).toBeGreaterThan(viewport!.width - 60);
  // It goes away by itself.
  await expect(toast).toBeHidden({ timeout: 20_000 });

  // Force Sign Out: the user's open tab drops to the sign-in page, saying why.
  await page.getByRole("button", { name: "Force Sign Out User(s)", exact: true }).click();
  await dialog.getByRole("button", { name: "Force Sign Out User(s)", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Signed out 1 user." })).toBeVisible();
  await expect(user).toHaveURL(/\/login\?reason=forced_sign_out/);
  await expect(user.getByText("An administrator signed you out.")).toBeVisible();

  expect(errors).toEqual([]);
  expect(userErrors).toEqual([]);
  await userContext.close();
});
