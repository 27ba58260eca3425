import { expect, test, type Browser, type Page } from "@playwright/test";
import { E2E_PASSWORD, emailTo } from "./support";

// The forms that matter before the WebAssembly arrives, with JavaScript
// off: each is a plain HTML form posted to its server function. A refused
// submission comes back to its page with the message next to the field; a
// success lands on a proper page; a password never reaches the address bar.

const NEW_PASSWORD = "Granite-Orchard-Lantern-58";
const LATER_PASSWORD = "Saffron-Harbour-Quill-93";

async function noScript(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: false });
  return context.newPage();
}

function noPasswordInUrl(page: Page) {
  for (const secret of [E2E_PASSWORD, NEW_PASSWORD, LATER_PASSWORD, "wrong-password-1"]) {
    expect(page.url()).not.toContain(encodeURIComponent(secret));
  }
}

test("without JavaScript: sign in refused then accepted, forgot password, reset refused then accepted, change password, sign out", async ({ browser }) => {
  const page = await noScript(browser);

  // Sign-in refused: back on the sign-in page, the reason shown.
  await page.goto("/login");
  await page.getByLabel("Username or email").fill("nojs");
  await page.getByLabel("Password").fill("wrong-password-1");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("alert")).toContainText("Sign-in failed");
  noPasswordInUrl(page);

  // Forgot password: the same answer whether or not the account exists.
  await page.goto("/forgot-password");
  await page.getByLabel("Username or email").fill("nojs@example.com");
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByText("If an account matches")).toBeVisible();

  // The emailed link: a weak password is refused next to its field.
  const email = await emailTo("nojs@example.com");
  const link = email.match(/http:\/\/[^\s"<]+\/reset-password\?token=[A-Za-z0-9_-]+/)![0];
  await page.goto(link);
  await expect(page.getByText("For the account nojs")).toBeVisible();
  await page.getByLabel("New password", { exact: true }).fill("password1234");
  await page.getByLabel("Confirm new password").fill("password1234");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.locator("#field-new_password-error")).toContainText("too weak");
  noPasswordInUrl(page);
  // A strong one is set and the sign-in page says so.
  await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel("Confirm new password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL(/\/login\?reason=password_reset$/);
  await expect(page.getByText("Your new password is set.")).toBeVisible();

  // Sign in with it.
  await page.getByLabel("Username or email").fill("nojs");
  await page.getByLabel("Password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
  noPasswordInUrl(page);

  // Change password: a wrong current password is refused next to it...
  await page.goto("/account/password");
  await page.getByLabel("Current password").fill("wrong-password-1");
  await page.getByLabel("New password", { exact: true }).fill(LATER_PASSWORD);
  await page.getByLabel("Confirm new password").fill(LATER_PASSWORD);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page).toHaveURL(/\/account\/password/);
  await expect(page.locator("#field-current_password-error")).toBeVisible();
  noPasswordInUrl(page);
  // ...the right one changes it, and the page says so.
  await page.getByLabel("Current password").fill(NEW_PASSWORD);
  await page.getByLabel("New password", { exact: true }).fill(LATER_PASSWORD);
  await page.getByLabel("Confirm new password").fill(LATER_PASSWORD);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page).toHaveURL(/\/account\/password\?changed=1$/);
  await expect(page.getByText("Your password was changed.")).toBeVisible();
  noPasswordInUrl(page);
  // Sign out: a plain form too; the session is gone.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login/);
  await page.context().close();

  // The new password is the one that works.
  const check = await noScript(browser);
  await check.goto("/login");
  await check.getByLabel("Username or email").fill("nojs");
  await check.getByLabel("Password").fill(LATER_PASSWORD);
  await check.getByRole("button", { name: "Sign in" }).click();
  await expect(check).not.toHaveURL(/\/login/);
  await check.context().close();
});
