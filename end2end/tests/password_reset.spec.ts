import * as fs from "node:fs";
import * as path from "node:path";
import { expect, test } from "@playwright/test";
import { collectErrors, gotoLive, signIn } from "./support";

/** The newest .eml in the outbox sent to `address`, quoted-printable undone. */
async function emailTo(address: string): Promise<string> {
  const outbox = path.join(process.env.ROSTER_E2E_DATA ?? "", "outbox");
  let found = "";
  await expect
    .poll(() => {
      const files = fs.existsSync(outbox) ? fs.readdirSync(outbox).sort().reverse() : [];
      const match = files
        .map((f) => fs.readFileSync(path.join(outbox, f), "utf8"))
        .find((text) => text.includes(`To: ${address}`));
      found = match ?? "";
      return found !== "";
    }, { timeout: 10_000 })
    .toBe(true);
  return found
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

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
