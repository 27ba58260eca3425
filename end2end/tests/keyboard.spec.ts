import { expect, test, type Page } from "@playwright/test";
import { E2E_PASSWORD, collectErrors } from "./support";

// An administrator who uses no mouse: every step below is a key press.
// Focus must be visible at each stop, return to whatever opened a dialog
// when it closes, and the selection count and results must be announced
// (live regions).

test.use({ storageState: { cookies: [], origins: [] } });

/** What has the focus: its role-ish tag and accessible text. */
async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return "";
    const label =
      el.getAttribute("aria-label") ??
      (el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null) ??
      el.textContent ??
      "";
    return label.replace(/\s+/g, " ").trim();
  });
}

/** Presses `key` until the focused element's name is `name` (at most `max` times). */
async function pressUntil(page: Page, key: string, name: string | RegExp, max = 80) {
  for (let i = 0; i < max; i++) {
    const now = await focused(page);
    if (typeof name === "string" ? now === name : name.test(now)) return;
    await page.keyboard.press(key);
  }
  throw new Error(`pressing ${key} ${max} times never reached ${name} (last: ${await focused(page)})`);
}

/** The focused element shows a focus ring (`:focus-visible`, styled). */
async function expectVisibleFocus(page: Page) {
  const ring = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || !el.matches(":focus-visible")) return "none";
    const style = getComputedStyle(el);
    return style.outlineStyle === "none" && style.boxShadow === "none" ? "none" : "shown";
  });
  expect(ring).toBe("shown");
}

test("keyboard only: sign in, search, select two, suspend them from More actions, read the result", async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto("/login");
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });

  // Sign in.
  await pressUntil(page, "Tab", "Username or email");
  await expectVisibleFocus(page);
  await page.keyboard.type("admin");
  await page.keyboard.press("Tab");
  expect(await focused(page)).toBe("Password");
  await page.keyboard.type(E2E_PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page).not.toHaveURL(/\/login/);

  // Search the Users table.
  await page.goto("/users");
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await pressUntil(page, "Tab", "Search");
  await page.keyboard.type("keyboard");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/q=keyboard/);
  await expect(page.locator("table.users-table tbody tr")).toHaveCount(2);

  // Select both rows; the count is announced.
  const count = page.locator(".selection-count");
  await expect(count).toHaveAttribute("aria-live", "polite");
  await pressUntil(page, "Tab", "Select keyone");
  await expectVisibleFocus(page);
  await page.keyboard.press("Space");
  await expect(count).toHaveText("1 user selected");
  await page.keyboard.press("Tab");
  await pressUntil(page, "Tab", "Select keytwo");
  await page.keyboard.press("Space");
  await expect(count).toHaveText("2 users selected");

  // A dialog closed with Escape gives the focus back to its button.
  await pressUntil(page, "Shift+Tab", "Lock User(s)");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("dialog")).toBeVisible();
  await expect(page.getByRole("dialog").getByRole("button", { name: "Lock User(s)" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Lock User(s)" })).toBeFocused();

  // More actions: Enter opens the menu on its first entry; arrows move.
  await pressUntil(page, "Tab", /^More actions/);
  await expectVisibleFocus(page);
  await page.keyboard.press("Enter");
  const more = page.getByRole("button", { name: "More actions" });
  await expect(more).toHaveAttribute("aria-expanded", "true");
  await expect(page.getByRole("menuitem").first()).toBeFocused();
  // Escape closes it and returns to the button; ArrowDown opens it again.
  await page.keyboard.press("Escape");
  await expect(more).toHaveAttribute("aria-expanded", "false");
  await expect(more).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await pressUntil(page, "ArrowDown", "Suspend User(s)", 20);
  await expectVisibleFocus(page);
  await page.keyboard.press("Enter");

  // Confirm: the confirm button has the focus; Tab stays in the dialog.
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("Suspend User(s): 2 users.");
  const confirm = dialog.getByRole("button", { name: "Suspend User(s)" });
  await expect(confirm).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Shift+Tab");
  await expect(confirm).toBeFocused();
  await page.keyboard.press("Enter");

  // The result is announced in a status region, and the focus is back on
  // the menu button that started it.
  const toast = page.getByRole("status").filter({ hasText: "Suspended 2 users." });
  await expect(toast).toBeVisible();
  await expect(dialog).toHaveCount(0);
  await expect(more).toBeFocused();
  await expect(count).toHaveText("");
  for (const name of ["keyone", "keytwo"]) {
    await expect(page.getByRole("row").filter({ hasText: `${name}@example.com` })).toContainText("Suspended");
  }
  expect(errors).toEqual([]);
});
