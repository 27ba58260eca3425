import { expect, test } from "@playwright/test";
import { collectErrors, gotoLive, signIn } from "./support";

const TEMPORARY = "Amber-Falcon-Trellis-58";
const CHOSEN = "Quiet-Orchard-Lantern-64";

test("a user created with a temporary password must change it at first sign-in", async ({ page, browser }) => {
  const errors = collectErrors(page);
  await signIn(page, "admin");
  await gotoLive(page, "/users");
  await page.getByRole("link", { name: "New User" }).click();
  await expect(page).toHaveURL(/\/users\/new$/);
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });

  await page.getByLabel("Username", { exact: true }).fill("tara");
  await page.getByLabel("Email Address").fill("tara@example");
  await page.getByLabel("Name", { exact: true }).fill("T");
  // Checked as you type, by the same rules the server applies.
  await expect(page.locator("#field-name-error")).toHaveText("Name must be at least 2 characters.");
  await expect(page.locator("#field-email-error")).toBeVisible();
  await page.getByLabel("Phone #").fill("555-01");
  await expect(page.locator("#field-phone-error")).toBeVisible();
  await page.getByLabel("Phone #").fill("5550100");
  await expect(page.locator("#field-phone-error")).toHaveCount(0);
  await page.getByLabel("Email Address").fill("tara@example.com");
  await page.getByLabel("Name", { exact: true }).fill("Tara Temp");
  await page.getByLabel("Temporary password", { exact: true }).fill(TEMPORARY);
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page).toHaveURL(/\/users\/tara$/);
  await expect(page.getByRole("status").filter({ hasText: "Created tara" })).toBeVisible();
  await expect(page.getByText("Must change password")).toBeVisible();

  const context = await browser.newContext();
  const tara = await context.newPage();
  await signIn(tara, "tara", TEMPORARY);
  await expect(tara).toHaveURL(/\/account\/password$/);
  await tara.getByLabel("Current password").fill(TEMPORARY);
  await tara.getByLabel("New password", { exact: true }).fill(CHOSEN);
  await tara.getByLabel("Confirm new password").fill(CHOSEN);
  await tara.getByRole("button", { name: "Change password" }).click();
  await expect(tara).toHaveURL(/\/account$/);
  await context.close();
  expect(errors).toEqual([]);
});

test("an invited user opens the link from the outbox, sets a password and lands signed in", async ({ page, browser }) => {
  const errors = collectErrors(page);
  await signIn(page, "admin");
  await gotoLive(page, "/users/new");
  await page.getByLabel("Username", { exact: true }).fill("ivan");
  await page.getByLabel("Email Address").fill("ivan@example.com");
  await page.getByLabel("Name", { exact: true }).fill("Ivan Invited");
  await page.getByLabel("Send an invitation instead").check();
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page).toHaveURL(/\/users\/ivan$/);
  await expect(page.locator(".user-status").getByText("Invited")).toBeVisible();

  // The outbox page lists the message and its link.
  await expect(async () => {
    await gotoLive(page, "/outbox");
    await page.getByText("You are invited to Roster").first().click();
    await expect(page.getByRole("link", { name: /\/accept-invitation\?token=/ })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
  const link = await page.getByRole("link", { name: /\/accept-invitation\?token=/ }).first().getAttribute("href");

  const context = await browser.newContext();
  const ivan = await context.newPage();
  await gotoLive(ivan, link!);
  await expect(ivan.getByText("Choose a password for your account ivan")).toBeVisible();
  await ivan.getByLabel("New password", { exact: true }).fill(CHOSEN);
  await ivan.getByLabel("Confirm new password").fill(CHOSEN);
  await ivan.getByRole("button", { name: "Activate account" }).click();
  await expect(ivan).toHaveURL(/\/account$/);
  await expect(ivan.getByText("ivan@example.com")).toBeVisible();

  // The link worked once.
  await gotoLive(ivan, link!);
  await expect(ivan.getByText("This link has already been used.")).toBeVisible();
  await expect(ivan.getByRole("button", { name: "Activate account" })).toHaveCount(0);
  await context.close();
  expect(errors).toEqual([]);
});

test("an administrator deletes a user and restores them", async ({ page }) => {
  const errors = collectErrors(page);
  await signIn(page, "admin");
  await gotoLive(page, "/users/finn");
  const actions = page.getByRole("group", { name: "Actions on this user" });
  await actions.getByRole("button", { name: "Delete", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("their history is kept and they can be restored");
  await dialog.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Deleted 1 user." })).toBeVisible();
  await expect(page.locator(".user-status").getByText("Deleted")).toBeVisible();

  // Hidden from the default view of the table.
  await gotoLive(page, "/users?q=finn");
  await expect(page.getByRole("link", { name: "View finn", exact: true })).toHaveCount(0);
  await gotoLive(page, "/users?q=finn&deleted=include");
  await page.getByRole("link", { name: "View finn", exact: true }).click();

  await expect(page).toHaveURL(/\/users\/finn$/);
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await page.getByRole("group", { name: "Actions on this user" }).getByRole("button", { name: "Restore" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Restore" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Restored 1 user." })).toBeVisible();
  await expect(page.locator(".user-status").getByText("Deleted")).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Change history" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "Restored", exact: true })).toBeVisible();
  expect(errors).toEqual([]);
});

test("a temporary login from the user page signs in once and asks for a new password only", async ({ page, browser }) => {
  const errors = collectErrors(page);
  await signIn(page, "admin");
  // tara was created by the first test of this file.
  await gotoLive(page, "/users/tara");
  await page.getByRole("group", { name: "Actions on this user" }).getByRole("button", { name: "Send Temporary Login" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Send Temporary Login" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Sent a temporary login link to 1 user." })).toBeVisible();

  let link: string | null = null;
  await expect(async () => {
    await gotoLive(page, "/outbox");
    await page.getByText("Your temporary Roster sign-in link").first().click();
    link = await page.getByRole("link", { name: /\/temporary-login\?token=/ }).first().getAttribute("href", { timeout: 1_000 });
    expect(link).toBeTruthy();
  }).toPass({ timeout: 10_000 });

  const context = await browser.newContext();
  const tara = await context.newPage();
  await gotoLive(tara, link!);
  await tara.getByRole("button", { name: "Sign in as tara" }).click();
  await expect(tara).toHaveURL(/\/account\/password$/);
  // The link replaced the forgotten password: no current password is asked.
  await expect(tara.getByLabel("New password", { exact: true })).toBeVisible();
  await expect(tara.getByLabel("Current password")).toHaveCount(0);
  await tara.getByLabel("New password", { exact: true }).fill("Silver-Canyon-Marble-31");
  await tara.getByLabel("Confirm new password").fill("Silver-Canyon-Marble-31");
  await tara.getByRole("button", { name: "Change password" }).click();
  await expect(tara).toHaveURL(/\/account$/);

  // Used once.
  await gotoLive(tara, link!);
  await expect(tara.getByText("This link has already been used.")).toBeVisible();
  await expect(tara.getByRole("button", { name: /Sign in as/ })).toHaveCount(0);
  await context.close();
  expect(errors).toEqual([]);
});
