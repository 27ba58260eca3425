import { expect, test, type Page } from "@playwright/test";
import { collectErrors, gotoLive, signIn } from "./support";

const HEADERS = [
  "Username", "Email Address", "Name", "Roles", "Login Status", "Last Signin", "Time Logged In",
  "Last Location", "Last Activity", "Status", "Phone #", "Phone EXT", "Created At", "View",
];

/** MM-DD-YYYY HH:MM as a sortable number, or null for "—". */
function stamp(text: string): number | null {
  const m = text.trim().match(/^(\d\d)-(\d\d)-(\d{4}) (\d\d):(\d\d)$/);
  return m ? Number(`${m[3]}${m[1]}${m[2]}${m[4]}${m[5]}`) : null;
}

async function column(page: Page, header: string): Promise<string[]> {
  // The first column holds the row checkboxes.
  const index = HEADERS.indexOf(header) + 1;
  return page.locator("table.users-table tbody tr").evaluateAll(
    (rows, i) => rows.map((r) => (r.children[i] as HTMLElement).innerText),
    index,
  );
}

test.beforeEach(async ({ page }) => {
  await signIn(page, "admin");
});

test("the Users table shows every column, sorts, searches and pages through the URL", async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto("/users");
  const table = page.getByRole("table");
  for (const header of HEADERS) {
    await expect(table.getByRole("columnheader", { name: header, exact: true })).toBeVisible();
  }
  await expect(page.locator(".table-summary")).toHaveText(/^Users 1–25 of 1[2-4]\d$/);

  // Sort by Last Activity: newest first, then oldest first.
  await table.getByRole("link", { name: "Last Activity" }).click();
  await expect(page).toHaveURL(/sort=last_activity&dir=desc/);
  await expect(table.getByRole("columnheader", { name: "Last Activity" })).toHaveAttribute("aria-sort", "descending");
  const newestFirst = (await column(page, "Last Activity")).map(stamp).filter((v): v is number => v !== null);
  expect(newestFirst.length).toBeGreaterThan(5);
  expect([...newestFirst].sort((a, b) => b - a)).toEqual(newestFirst);
  await table.getByRole("link", { name: "Last Activity" }).click();
  await expect(page).toHaveURL(/sort=last_activity&dir=asc/);

  // Search narrows to the one user, and the sort is kept.
  await page.getByLabel("Search").fill("plain@example");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=plain%40example/);
  await expect(page).toHaveURL(/sort=last_activity/);
  await expect(page.locator("table.users-table tbody tr")).toHaveCount(1);
  await expect(page.getByRole("link", { name: "View plain", exact: true })).toHaveAttribute("href", "/users/plain");

  // Back returns to the unsearched table.
  await page.goBack();
  await expect(page).not.toHaveURL(/q=/);
  await expect(page.locator("table.users-table tbody tr")).toHaveCount(25);

  // Paging.
  await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Next" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.locator(".table-summary")).toHaveText(/^Users 26–50 of/);
  expect(errors).toEqual([]);
});

test("filters by status and shows the status badges", async ({ page }) => {
  await page.goto("/users?status=locked");
  const statuses = await column(page, "Status");
  expect(statuses.length).toBeGreaterThan(0);
  for (const status of statuses) expect(status).toContain("Locked");
  await expect(page.getByRole("combobox", { name: "Status" })).toHaveValue("locked");
});

test("hidden columns and the page size are remembered in this browser", async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto("/users");
  const table = page.getByRole("table");
  await expect(table.getByRole("columnheader", { name: "Phone EXT" })).toBeVisible();
  await page.getByText("Columns", { exact: true }).click();
  // The checkboxes work once the page is live; retry until then.
  await expect(async () => {
    await page.getByRole("checkbox", { name: "Phone EXT" }).uncheck({ timeout: 1_000 });
    await expect(table.getByRole("columnheader", { name: "Phone EXT" })).toBeHidden({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await page.getByRole("checkbox", { name: "Roles" }).uncheck();
  await expect(table.getByRole("columnheader", { name: "Roles" })).toBeHidden();
  await expect(page.getByText("Columns (2 hidden)")).toBeVisible();
  // Compact rows: shorter rows, every cell on one line.
  const firstRow = page.locator("table.users-table tbody tr").first();
  const roomy = (await firstRow.boundingBox())!.height;
  await page.getByRole("checkbox", { name: "Compact rows" }).check();
  await expect(page.locator("table.users-table")).toHaveClass(/compact/);
  expect((await firstRow.boundingBox())!.height).toBeLessThan(roomy);
  // Every row's cells hide with their header.
  const visibleCells = await page.locator("table.users-table tbody tr").first().locator("td:visible").count();
  expect(visibleCells).toBe(15 - 2);

  await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "50" }).click();
  await expect(page).toHaveURL(/per_page=50/);
  await expect(page.locator("table.users-table tbody tr")).toHaveCount(50);

  // A new visit to /users comes back with both choices.
  await page.goto("/users");
  await expect(page).toHaveURL(/per_page=50/);
  await expect(page.locator("table.users-table tbody tr")).toHaveCount(50);
  await expect(table.getByRole("columnheader", { name: "Phone EXT" })).toBeHidden();
  await expect(table.getByRole("columnheader", { name: "Roles" })).toBeHidden();
  await expect(table.getByRole("columnheader", { name: "Username" })).toBeVisible();
  await expect(page.locator("table.users-table")).toHaveClass(/compact/);

  // Choosing the default size again sticks too.
  await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "25", exact: true }).click();
  await expect(page.locator("table.users-table tbody tr")).toHaveCount(25);
  await page.goto("/users");
  await expect(page.locator(".table-summary")).toHaveText(/^Users 1–25 of/);
  await expect(page).not.toHaveURL(/per_page/);
  expect(errors).toEqual([]);
});

test("a bad parameter says what is wrong", async ({ page }) => {
  await page.goto("/users?sort=password_hash");
  await expect(page.getByRole("alert").first()).toContainText("Cannot sort by 'password_hash'");
  await page.getByRole("link", { name: "Show all users" }).click();
  await expect(page).toHaveURL(/\/users$/);
});

test("Select All selects the page and offers all matching; Select None clears", async ({ page }) => {
  await page.goto("/users");
  const count = page.locator(".selection-count");
  await expect(count).toHaveText("");
  // The buttons work once the page is live; retry until then.
  await expect(async () => {
    await page.getByRole("button", { name: "Select All" }).click();
    await expect(count).toHaveText("25 users selected", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(page.getByRole("checkbox", { name: "Select all users on this page" })).toBeChecked();
  await expect(page.getByRole("button", { name: /^Select all 1[2-4]\d users matching$/ })).toBeVisible();
  await page.getByRole("button", { name: "Select None" }).click();
  await expect(count).toHaveText("");
  await expect(page.getByRole("checkbox", { name: "Select all users on this page" })).not.toBeChecked();
});

test("lock two selected users: both show Locked and cannot sign in", async ({ page, browser }) => {
  const errors = collectErrors(page);
  await page.goto("/users?q=lena");
  await expect(async () => {
    await page.getByRole("checkbox", { name: "Select lena", exact: true }).check();
    await expect(page.locator(".selection-count")).toHaveText("1 user selected", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await page.getByLabel("Search").fill("finn");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("checkbox", { name: "Select finn", exact: true }).check();
  await expect(page.locator(".selection-count")).toHaveText("2 users selected");

  await page.getByRole("button", { name: "Lock User(s)", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("Lock User(s): 2 users.");
  await dialog.getByRole("button", { name: "Lock User(s)", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Locked 2 users." })).toBeVisible();
  await expect(dialog).toHaveCount(0);

  await page.goto("/users?q=example.com&status=locked");
  for (const name of ["lena", "finn"]) {
    await expect(page.getByRole("row").filter({ hasText: `${name}@example.com` })).toContainText("Locked");
  }
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await gotoLive(otherPage, "/login");
  await otherPage.getByLabel("Username or email").fill("lena");
  await otherPage.getByLabel("Password").fill("Violet-Harbour-Lantern-42");
  await otherPage.getByRole("button", { name: "Sign in" }).click();
  await expect(otherPage.getByRole("alert")).toContainText("Sign-in failed");
  await other.close();
  expect(errors).toEqual([]);
});

test("Force Sign Out User(s) ends a session open in another browser", async ({ page, browser }) => {
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signIn(otherPage, "plain");
  await expect(otherPage).toHaveURL(/\/account$/);

  await page.goto("/users?q=plain%40example.com");
  await expect(async () => {
    await page.getByRole("checkbox", { name: "Select plain", exact: true }).check();
    await expect(page.locator(".selection-count")).toHaveText("1 user selected", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await page.getByRole("button", { name: "Force Sign Out User(s)" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Force Sign Out User(s)" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Signed out 1 user." })).toBeVisible();

  // The other browser's open tab goes to the sign-in page at once, saying
  // why, and its session is over.
  await expect(otherPage).toHaveURL(/\/login\?reason=forced_sign_out$/);
  await expect(otherPage.getByText("An administrator signed you out.")).toBeVisible();
  await otherPage.goto("/account");
  await expect(otherPage).toHaveURL(/\/login\?next=%2Faccount$/);
  await other.close();
});

test("Set Password gives the selected user a password they must change", async ({ page, browser }) => {
  await page.goto("/users?q=newcomer%40example.com");
  await expect(async () => {
    await page.getByRole("checkbox", { name: "Select newcomer", exact: true }).check();
    await expect(page.locator(".selection-count")).toHaveText("1 user selected", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await page.getByRole("button", { name: "More actions" }).click();
  await page.getByRole("menuitem", { name: "Set Password", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("checkbox", { name: "Must change at next sign-in" })).toBeChecked();
  // Weak passwords are refused by the server, and the dialog stays open.
  await dialog.getByLabel("New password").fill("password1234");
  await dialog.getByRole("button", { name: "Set Password" }).click();
  await expect(dialog.locator("#field-set_password-error")).toContainText("Password is too weak");
  await dialog.getByLabel("New password").fill("Amber-Lantern-Quarry-62");
  await dialog.getByRole("button", { name: "Set Password" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Set the password of 1 user." })).toBeVisible();

  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signIn(otherPage, "newcomer", "Amber-Lantern-Quarry-62");
  await expect(otherPage).toHaveURL(/\/account\/password$/);
  await other.close();
});

test("Export CSV downloads every user matching the view", async ({ page }) => {
  await page.goto("/users?q=example.com&status=locked");
  const link = page.getByRole("link", { name: "Export CSV" });
  await expect(link).toHaveAttribute("href", "/users/export.csv?q=example.com&status=locked");
  const download = page.waitForEvent("download");
  await link.click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^users-\d{8}-\d{4}\.csv$/);
  const text = (await page.request.get("/users/export.csv?q=example.com&status=locked").then((r) => r.text()));
  const lines = text.trim().split("\n");
  expect(lines[0]).toContain("Username,Email Address,Name");
  expect(lines.length).toBeGreaterThan(1);
  for (const line of lines.slice(1)) expect(line).toContain("Locked");
});
