import { expect, test } from "@playwright/test";
import { collectErrors, gotoLive, signIn } from "./support";

test("a role with only View users and View the audit log shows its holder the table and no actions", async ({ page, browser }) => {
  const errors = collectErrors(page);
  await signIn(page, "admin");
  await gotoLive(page, "/roles");
  await expect(page.getByRole("table").getByRole("columnheader", { name: "Users" })).toBeVisible();
  await page.getByRole("link", { name: "New Role" }).click();
  await expect(page).toHaveURL(/\/roles\/new$/);
  await page.getByLabel("Name").fill("Auditor");
  await page.getByLabel("Description").fill("Reads users and the audit log.");
  await page.getByLabel("View users", { exact: true }).check();
  await page.getByLabel("View the audit log", { exact: true }).check();
  await page.getByRole("button", { name: "Create role" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Created the role Auditor." })).toBeVisible();
  await expect(page).toHaveURL(/\/roles\/Auditor$/);
  await expect(page.getByLabel("View users", { exact: true })).toBeChecked();
  await expect(page.getByLabel("Lock, unlock, activate and suspend users")).not.toBeChecked();

  // The roles table counts its users once olga has it.
  await gotoLive(page, "/users/olga");
  await page.getByLabel("User", { exact: true }).uncheck();
  await page.getByLabel("Auditor", { exact: true }).check();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved olga." })).toBeVisible();
  await gotoLive(page, "/roles");
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: "Auditor" }) });
  await expect(row.getByRole("cell").nth(3)).toHaveText("1");
  await expect(row.getByRole("cell").nth(2)).toHaveText("View users, View the audit log");

  // olga sees the Users table, and not one action button.
  const context = await browser.newContext();
  const olga = await context.newPage();
  await signIn(olga, "olga");
  await gotoLive(olga, "/users?q=plain");
  await expect(olga.getByRole("table")).toBeVisible();
  await expect(olga.getByRole("link", { name: "View plain", exact: true })).toBeVisible();
  for (const name of ["Lock User(s)", "Force Sign Out User(s)", "Send Message to User(s)", "More actions", "All users"]) {
    await expect(olga.getByRole("button", { name })).toHaveCount(0);
  }
  await expect(olga.getByRole("link", { name: "New User" })).toHaveCount(0);

  // Her open tab follows a change to the role: with View users taken away
  // the navigation loses Users at once.
  await expect(olga.getByRole("navigation").getByRole("link", { name: "Users" })).toBeVisible();
  await gotoLive(page, "/roles/Auditor");
  await page.getByLabel("View users", { exact: true }).uncheck();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved the role Auditor." })).toBeVisible();
  await expect(olga.getByRole("navigation").getByRole("link", { name: "Users" })).toHaveCount(0);
  await context.close();
  expect(errors).toEqual([]);
});

test("a User Manager reads roles but cannot tick Manage roles", async ({ page }) => {
  const errors = collectErrors(page);
  await signIn(page, "umi");
  await gotoLive(page, "/roles/Support");
  await expect(page.getByRole("heading", { name: "Support", level: 1 })).toBeVisible();
  await expect(page.getByLabel("Manage roles", { exact: true })).toBeDisabled();
  await expect(page.getByLabel("Send messages", { exact: true })).toBeChecked();
  await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Delete Role" })).toHaveCount(0);
  await gotoLive(page, "/roles");
  await expect(page.getByRole("link", { name: "New Role" })).toHaveCount(0);
  // New Role itself is refused.
  await page.goto("/roles/new");
  await expect(page).toHaveURL(/\/account\?denied=/);
  expect(errors).toEqual([]);
});

test("a team gets members from the Users table, shows them, filters the table and loses one", async ({ page }) => {
  const errors = collectErrors(page);
  await signIn(page, "admin");
  await gotoLive(page, "/teams");
  await page.getByRole("link", { name: "New Team" }).click();
  await page.getByLabel("Name").fill("Night Owls");
  await page.getByRole("button", { name: "Create team" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Created the team Night Owls." })).toBeVisible();
  await expect(page).toHaveURL(/\/teams\/Night%20Owls$/);

  // Add to Team from the Users table: both owls.
  // (A seeded demo name may contain "owl" too, e.g. "Rowland": the two
  // owls are listed, perhaps among others.)
  await gotoLive(page, "/users?q=owl");
  await expect(page.getByRole("checkbox", { name: "Select owlone" })).toBeVisible();
  await expect(page.getByRole("checkbox", { name: "Select owltwo" })).toBeVisible();
  await page.getByRole("checkbox", { name: "Select owlone" }).check();
  await page.getByRole("checkbox", { name: "Select owltwo" }).check();
  await page.getByRole("button", { name: "More actions" }).click();
  await page.getByRole("menuitem", { name: "Add to Team" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Team").selectOption("Night Owls");
  await dialog.getByRole("button", { name: "Add to Team" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Added 2 users to Night Owls." })).toBeVisible();

  // The team page lists them.
  await gotoLive(page, "/teams/Night%20Owls");
  await expect(page.getByRole("link", { name: "owlone" })).toBeVisible();
  await expect(page.getByRole("link", { name: "owltwo" })).toBeVisible();
  await expect(page.getByText("2 users in the team")).toBeVisible();

  // The table filters by the team.
  await gotoLive(page, "/users?team=Night%20Owls");
  await expect(page.locator("table.users-table tbody tr")).toHaveCount(2);

  // Remove one on the team page.
  await gotoLive(page, "/teams/Night%20Owls");
  await page.getByRole("checkbox", { name: "Select owlone" }).check();
  await page.getByRole("button", { name: "Remove from Team" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Remove from Team" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Removed 1 user from Night Owls." })).toBeVisible();
  await expect(page.getByRole("link", { name: "owlone" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "owltwo" })).toBeVisible();

  // Add Members: search as you type, tick, add.
  await page.getByRole("button", { name: "Add Members" }).click();
  await page.getByRole("dialog").getByLabel("Find users").fill("owlon");
  await page.getByRole("dialog").getByLabel(/^owlone/).check();
  await page.getByRole("dialog").getByRole("button", { name: "Add Members" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Added 1 user to Night Owls." })).toBeVisible();
  await expect(page.getByRole("link", { name: "owlone" })).toBeVisible();
  expect(errors).toEqual([]);
});

test("one's own roles show on one's user page but cannot be changed there", async ({ page }) => {
  await signIn(page, "admin");
  await gotoLive(page, "/users/admin");
  await expect(page.getByText("You cannot change your own roles. Ask another administrator.")).toBeVisible();
  const own = page.getByRole("checkbox", { name: "Administrator", exact: true });
  await expect(own).toBeChecked();
  await expect(own).toBeDisabled();
  // Another user's roles stay editable.
  await gotoLive(page, "/users/plain");
  await expect(page.getByRole("checkbox", { name: "User", exact: true })).toBeEnabled();
});
