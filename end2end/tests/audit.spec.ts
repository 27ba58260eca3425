import { expect, test } from "@playwright/test";
import { collectErrors, gotoLive, signIn } from "./support";

test("a lock shows on the Audit page filtered to that user, with who did it", async ({ page }) => {
  const errors = collectErrors(page);
  await signIn(page, "admin");
  await gotoLive(page, "/users?q=audrey");
  await expect(async () => {
    await page.getByRole("checkbox", { name: "Select audrey", exact: true }).check();
    await expect(page.locator(".selection-count")).toHaveText("1 user selected", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await page.getByRole("button", { name: "Lock User(s)", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Lock User(s)", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Locked 1 user." })).toBeVisible();

  // The user page's history leads to the log about her.
  await gotoLive(page, "/users/audrey");
  await page.getByRole("link", { name: "Every audit entry about audrey" }).click();
  await expect(page).toHaveURL(/\/audit\?target=audrey$/);
  const table = page.getByRole("table");
  for (const header of ["When", "Actor", "Action", "Target", "Details", "From"]) {
    await expect(table.getByRole("columnheader", { name: header, exact: true })).toBeVisible();
  }
  const lock = table.getByRole("row").filter({ has: page.getByRole("cell", { name: "Locked", exact: true }) });
  await expect(lock).toHaveCount(1);
  await expect(lock.getByRole("cell").nth(1)).toHaveText("admin");
  await expect(lock.getByRole("cell").nth(3)).toHaveText("audrey");

  // Narrowed to locks by the filter form: the URL keeps it.
  await page.getByLabel("Action").selectOption("user.lock");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/target=audrey&action=user.lock/);
  await expect(page.locator(".table-summary")).toHaveText("1 entry");

  // Opening the entry shows every detail and links to her page.
  await page.getByRole("table").getByRole("row").nth(1).getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(/^Audit entry \d+$/);
  await expect(page.getByText("Locked (user.lock)")).toBeVisible();
  await page.getByRole("link", { name: "audrey", exact: true }).click();
  await expect(page).toHaveURL(/\/users\/audrey$/);
  expect(errors).toEqual([]);
});

test("a bad filter on the Audit page says what is wrong", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/audit?since=2026-02-30");
  await expect(page.getByText("'2026-02-30' is not a date; use YYYY-MM-DD.")).toBeVisible();
});

test("the Audit page filters and pages without JavaScript", async ({ page: signedIn, browser }) => {
  await signIn(signedIn, "admin");
  const storageState = await signedIn.context().storageState();
  const context = await browser.newContext({ javaScriptEnabled: false, storageState });
  const page = await context.newPage();
  // A context made by hand does not take the config's baseURL.
  await page.goto(new URL("/audit", signedIn.url()).href);
  await expect(page.getByRole("table").getByRole("columnheader", { name: "Actor", exact: true })).toBeVisible();
  // Signing in wrote entries by admin; the plain HTML form narrows to them.
  await page.getByLabel("Actor").fill("admin");
  await page.getByLabel("Action").selectOption("auth.sign_in");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/actor=admin/);
  await expect(page).toHaveURL(/action=auth.sign_in/);
  const actions = page.getByRole("table").locator("tbody tr td:nth-child(3)");
  expect(await actions.count()).toBeGreaterThan(0);
  for (const text of await actions.allInnerTexts()) expect(text).toBe("Signed in");
  // A bad date is refused with the reason, on the server.
  await page.goto(new URL("/audit?since=2026-02-30", signedIn.url()).href);
  await expect(page.getByText("'2026-02-30' is not a date; use YYYY-MM-DD.")).toBeVisible();
  await context.close();
});
