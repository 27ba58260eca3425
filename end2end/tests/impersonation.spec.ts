import { expect, test } from "@playwright/test";
import { collectErrors, gotoLive, signIn } from "./support";

test("Login as opens the user's view in a new tab, beside the administrator's, and is audited", async ({
  page,
  context,
}) => {
  const errors = collectErrors(page);
  await signIn(page, "admin");

  // On one's own page the button is greyed out, saying why.
  await gotoLive(page, "/users/admin");
  await expect(page.getByRole("button", { name: "Login as", exact: true })).toBeDisabled();
  await expect(page.getByText("You cannot log in as yourself.")).toBeVisible();

  await gotoLive(page, "/users/imogen");
  const [tab] = await Promise.all([
    context.waitForEvent("page"),
    page.getByRole("button", { name: "Login as", exact: true }).click(),
  ]);
  const tabErrors = collectErrors(tab);
  await tab.locator("html[data-hydrated]").waitFor({ state: "attached" });
  // Ivan (Support) lands on the console, under the impersonation's address.
  await expect(tab).toHaveURL(/\/as\/\d+\/$/);
  const base = new URL(tab.url()).pathname.replace(/\/$/, "");
  const banner = tab.getByRole("alert").filter({ hasText: "You are signed in as imogen by admin." });
  await expect(banner).toBeVisible();
  await expect(banner).toContainText(/\d+ minutes left/);
  await expect(tab.locator(".account-link")).toContainText("(imogen)");

  // The administrator's own tab is still the administrator.
  await page.reload();
  await expect(page.locator(".account-link")).toContainText("(admin)");

  // In the impersonation tab, links stay inside it: Users, then Jade.
  await tab.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users", exact: true }).click();
  await expect(tab).toHaveURL(new RegExp(`${base}/users$`));
  await gotoLive(tab, `${base}/users/jade`);
  await expect(banner).toBeVisible();
  // Act as imogen: lock Jade.
  await tab.getByRole("group", { name: "Actions on this user" }).getByRole("button", { name: "Lock", exact: true }).click();
  await tab.getByRole("dialog").getByRole("button", { name: "Lock", exact: true }).click();
  await expect(tab.getByRole("status").filter({ hasText: "Locked 1 user." })).toBeVisible();

  // Stop: the tab closes, or goes back to imogen's page in admin's view.
  await tab.getByRole("button", { name: "Stop impersonating" }).click();
  await tab.waitForEvent("close", { timeout: 5_000 }).catch(() => undefined);
  if (!tab.isClosed()) {
    await expect(tab).toHaveURL(/\/users\/imogen$/);
    await expect(tab.locator(".account-link")).toContainText("(admin)");
    expect(tabErrors).toEqual([]);
  }

  // The Audit page has the start, what was done as imogen, and the end.
  await gotoLive(page, "/audit?target=imogen&action=auth.impersonation_start");
  const start = page.getByRole("table").getByRole("row").filter({ hasText: "Started impersonating" });
  await expect(start).toHaveCount(1);
  await expect(start.getByRole("cell").nth(1)).toHaveText("admin");
  await gotoLive(page, "/audit?impersonated=yes");
  const rows = page.getByRole("table").getByRole("row");
  const lock = rows.filter({ has: page.getByRole("cell", { name: "Locked", exact: true }) });
  await expect(lock).toHaveCount(1);
  await expect(lock.getByRole("cell").nth(1)).toHaveText("admin as imogen");
  await expect(lock.getByRole("cell").nth(3)).toHaveText("jade");
  const end = rows.filter({ hasText: "Stopped impersonating" });
  await expect(end).toHaveCount(1);
  await expect(end.getByRole("cell").nth(1)).toHaveText("admin as imogen");
  expect(errors).toEqual([]);
});

test("Login as and Stop impersonating work as plain HTML forms, without JavaScript", async ({ page: signedIn, browser }) => {
  await signIn(signedIn, "admin");
  const storageState = await signedIn.context().storageState();
  const context = await browser.newContext({ javaScriptEnabled: false, storageState });
  const page = await context.newPage();
  // A context made by hand does not take the config's baseURL.
  await page.goto(new URL("/users/kit", signedIn.url()).href);
  const [tab] = await Promise.all([
    context.waitForEvent("page"),
    page.getByRole("button", { name: "Login as", exact: true }).click(),
  ]);
  await tab.waitForLoadState();
  // Kit has no console permissions: his own account page, under the base.
  await expect(tab).toHaveURL(/\/as\/\d+\/account$/);
  await expect(tab.getByRole("alert").filter({ hasText: "You are signed in as kit by admin." })).toBeVisible();
  await expect(tab.locator(".account-link")).toContainText("(kit)");
  // Links stay inside the impersonation.
  await expect(tab.getByRole("link", { name: "Roster", exact: true })).toHaveAttribute("href", /^\/as\/\d+\/$/);
  await expect(tab.getByRole("link", { name: "My account" })).toHaveAttribute("href", /^\/as\/\d+\/account$/);
  // The administrator's own tab is still the administrator.
  await page.reload();
  await expect(page.locator(".account-link")).toContainText("(admin)");

  await tab.getByRole("button", { name: "Stop impersonating" }).click();
  await expect(tab).toHaveURL(/\/users\/kit$/);
  await expect(tab.locator(".account-link")).toContainText("(admin)");
  await expect(tab.getByRole("alert").filter({ hasText: "You are signed in as" })).toHaveCount(0);
  await context.close();
});
