import { expect, test } from "@playwright/test";
import { collectErrors, gotoLive, signIn } from "./support";

test("the administrator made by create-admin signs in and out", async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto("/users");
  // Not signed in: the sign-in page, which will return to /users.
  await expect(page).toHaveURL(/\/login\?next=%2Fusers$/);
  await expect(page.getByRole("link", { name: "Forgot password?" })).toBeVisible();

  await page.getByLabel("Username or email").fill("ADMIN@example.com");
  await page.getByLabel("Password").fill("Violet-Harbour-Lantern-42");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByRole("link", { name: "Signed in as Ada Admin (admin)" })).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const section of ["Users", "Roles", "Teams", "Audit", "Statistics", "My account"]) {
    await expect(nav.getByRole("link", { name: section })).toBeVisible();
  }

  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login\?reason=signed_out$/);
  await expect(page.getByText("You have signed out.")).toBeVisible();
  // The session is over: pages lead back to the sign-in page.
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  expect(errors).toEqual([]);
});

test("a wrong password is refused with one general message", async ({ page }) => {
  const errors = collectErrors(page);
  await gotoLive(page, "/login");
  await page.getByLabel("Username or email").fill("admin");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("Sign-in failed");
  await expect(page).toHaveURL(/\/login$/);
  expect(errors).toEqual([]);
});

test("a plain user lands on My account and cannot open /users", async ({ page }) => {
  const errors = collectErrors(page);
  await signIn(page, "plain");
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { level: 1, name: "My account" })).toBeVisible();
  await expect(page.getByText("plain@example.com")).toBeVisible();
  // Their own session is listed, marked as this device.
  await expect(page.getByRole("button", { name: "Sign out this device" })).toBeVisible();

  // No administration in the navigation...
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "My account" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Users" })).toHaveCount(0);
  // ...and typing the address does not open it.
  await page.goto("/users");
  await expect(page).toHaveURL(/\/account\?denied=%2Fusers$/);
  await expect(page.getByRole("alert")).toContainText("You do not have permission to open /users.");
  expect(errors).toEqual([]);
});

test("signing out one device from My account ends that session", async ({ browser }) => {
  const laptop = await browser.newContext();
  const phone = await browser.newContext();
  const laptopPage = await laptop.newPage();
  const phonePage = await phone.newPage();
  await signIn(laptopPage, "plain");
  await signIn(phonePage, "plain");

  await laptopPage.reload();
  // Every session but this one (earlier tests may have left some open).
  const otherDevices = laptopPage.getByRole("button", { name: /^Sign out (?!this device)/ });
  await expect(otherDevices.first()).toBeVisible();
  while ((await otherDevices.count()) > 0) {
    const before = await otherDevices.count();
    await otherDevices.first().click();
    await expect(otherDevices).toHaveCount(before - 1);
  }
  await expect(laptopPage.getByRole("button", { name: "Sign out this device" })).toBeVisible();

  // The phone's open tab goes to the sign-in page by itself, saying why…
  await expect(phonePage).toHaveURL(/\/login\?reason=ended_by_user$/);
  await expect(
    phonePage.getByText("You signed this device out from another one. Please sign in again."),
  ).toBeVisible();
  // …and its session is over.
  await phonePage.goto("/account");
  await expect(phonePage).toHaveURL(/\/login\?next=%2Faccount$/);
  await laptop.close();
  await phone.close();
});

test("a user with a temporary password must change it before anything else", async ({ page }) => {
  const errors = collectErrors(page);
  await signIn(page, "newcomer");
  await expect(page).toHaveURL(/\/account\/password$/);
  await expect(page.getByText("You must choose a new password before you continue.")).toBeVisible();
  // Nothing else opens meanwhile.
  await page.goto("/users");
  await expect(page).toHaveURL(/\/account\/password$/);

  // Checked as you type, in the browser.
  await page.getByLabel("Current password").fill("Violet-Harbour-Lantern-42");
  await page.getByLabel("New password", { exact: true }).fill("short");
  await expect(page.locator("#field-new_password-error")).toHaveText("Password must be at least 10 characters.");
  // Weak passwords are refused by the server, saying why, next to the field.
  await page.getByLabel("New password", { exact: true }).fill("password1234");
  await page.getByLabel("Confirm new password").fill("password1234");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.locator("#field-new_password-error")).toContainText("Password is too weak");

  await page.getByLabel("New password", { exact: true }).fill("Quiet-Meadow-Compass-73");
  await page.getByLabel("Confirm new password").fill("Quiet-Meadow-Compass-73");
  await page.getByRole("button", { name: "Change password" }).click();
  // A Viewer has the console: the home page, with the Users section.
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" })).toBeVisible();
  await page.goto("/users");
  await expect(page).toHaveURL(/\/users$/);
  expect(errors).toEqual([]);
});
