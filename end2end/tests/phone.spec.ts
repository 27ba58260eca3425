import { expect, test } from "@playwright/test";
import { collectErrors, gotoLive, signIn } from "./support";

// A 390 × 844 phone: the page comes first (the navigation is folded until
// asked for), the Users table scrolls sideways under its checkbox and
// username columns, and dialogs fit the screen.

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

test.beforeEach(async ({ page }) => {
  await signIn(page, "admin");
});

test("on a phone the navigation starts folded and folds again after choosing a page", async ({ page }) => {
  const errors = collectErrors(page);
  // Before the WebAssembly arrives (JavaScript off) the CSS folds it too.
  const storageState = await page.context().storageState();
  const plain = await page.context().browser()!.newContext({
    javaScriptEnabled: false,
    storageState,
    viewport: { width: 390, height: 844 },
  });
  const before = await plain.newPage();
  await before.goto("/users");
  await expect(before.getByRole("heading", { level: 1, name: "Users" })).toBeInViewport();
  await expect(before.getByRole("navigation", { name: "Main" })).toBeHidden();
  await plain.close();

  await gotoLive(page, "/users");
  const nav = page.getByRole("navigation", { name: "Main" });
  const toggle = page.getByRole("button", { name: "Show navigation" });
  await expect(nav).toBeHidden();
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  // The table's first row is on the first screen.
  await expect(page.locator("table.users-table tbody tr").first()).toBeInViewport();

  await toggle.click();
  await expect(nav).toBeVisible();
  await expect(page.getByRole("button", { name: "Hide navigation" })).toHaveAttribute("aria-expanded", "true");
  await nav.getByRole("link", { name: "Teams" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Teams" })).toBeVisible();
  await expect(nav).toBeHidden();
  expect(errors).toEqual([]);
});

test("on a phone the Users table keeps checkbox and username in view while it scrolls, and dialogs fit", async ({ page }) => {
  const errors = collectErrors(page);
  await gotoLive(page, "/users?q=plain%40example.com");
  const scroller = page.locator(".table-scroll");
  const row = page.getByRole("row").filter({ hasText: "plain@example.com" });
  const checkbox = row.getByRole("checkbox", { name: "Select plain", exact: true });
  const username = row.getByRole("cell").nth(1);
  await row.scrollIntoViewIfNeeded();
  const before = (await username.boundingBox())!;
  // Scrolled far to the right, the first two columns stay where they were.
  await scroller.evaluate((el) => (el.scrollLeft = el.scrollWidth));
  expect(await scroller.evaluate((el) => el.scrollLeft)).toBeGreaterThan(200);
  const after = (await username.boundingBox())!;
  expect(Math.abs(after.x - before.x)).toBeLessThan(1);
  await expect(checkbox).toBeInViewport();

  await checkbox.check();
  await page.getByRole("button", { name: "Lock User(s)" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  const box = (await dialog.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  await expect(dialog.getByRole("button", { name: "Lock User(s)" })).toBeInViewport();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toHaveCount(0);
  expect(errors).toEqual([]);
});
