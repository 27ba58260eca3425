import { expect, test } from "@playwright/test";
import { collectErrors, emailTo, gotoLive, signIn } from "./support";

test("forgot password: the emailed link sets a new password once", async ({ page }) => {
  const errors = collectErrors(page);
  await gotoLive(page, "/login");
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await page.getByLabel("Username or email").fill("rita@example.com");
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByText("If an account matches")).toBeVisible();

  const email = await emailTo("rita@example.com");
  expect(email).toContain("Subject: Reset your Roster password");
  const link = email.match(/http:\/\/[^\s"<]+\/reset-password\?token=[A-Za-z0-9_-]+/)?.[0];
  expect(link).toBeTruthy();

  await gotoLive(page, link!);
  await expect(page.getByText("For the account rita")).toBeVisible();
  await page.getByLabel("New password", { exact: true }).fill("short");
  await expect(page.getByText("Password must be at least 10 characters.")).toBeVisible();
  await page.getByLabel("New password", { exact: true }).fill("Copper-Meadow-Whistle-77");
  await page.getByLabel("Confirm new password").fill("Copper-Meadow-Whistle-77");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL(/\/login\?reason=password_reset$/);
  await expect(page.getByText("Your new password is set.")).toBeVisible();
  await signIn(page, "rita", "Copper-Meadow-Whistle-77");

  // The link worked once.
  await gotoLive(page, link!);
  await expect(page.getByText("This link has already been used.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Ask for a new link" })).toBeVisible();
  expect(errors).toEqual([]);
});
