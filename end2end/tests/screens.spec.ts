import { expect, test, type Page } from "@playwright/test";
import { gotoLive, signIn } from "./support";

// The main pages as pictures, on a phone and on a desktop, light and dark,
// compared with the references committed beside this file
// (screens.spec.ts-snapshots/). A layout change shows up here; when it is
// meant, refresh the references with
//   cd end2end && npx playwright test screens --update-snapshots
// Data that differs from run to run (the seeded demo users, counts) is
// masked.

const SIZES = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1440, height: 900 },
] as const;

async function shot(page: Page, name: string, mask: string[] = []) {
  // Fonts and the hydrated state settle before the picture.
  await page.evaluate(() => document.fonts.ready);
  await expect(page).toHaveScreenshot(`${name}.png`, {
    fullPage: false,
    animations: "disabled",
    caret: "hide",
    mask: mask.map((selector) => page.locator(selector)),
    maxDiffPixelRatio: 0.02,
  });
}

for (const size of SIZES) {
  for (const colorScheme of ["light", "dark"] as const) {
    test.describe(`${size.name}, ${colorScheme}`, () => {
      test.use({ viewport: { width: size.width, height: size.height }, colorScheme });

      test(`sign-in page looks as before (${size.name}, ${colorScheme})`, async ({ page }) => {
        await gotoLive(page, "/login");
        await shot(page, `login-${size.name}-${colorScheme}`);
      });

      test(`Users page and New User form look as before (${size.name}, ${colorScheme})`, async ({ page }) => {
        await signIn(page, "admin");
        await gotoLive(page, "/users");
        await expect(page.locator("table.users-table tbody tr").first()).toBeVisible();
        await shot(page, `users-${size.name}-${colorScheme}`, [
          ".table-summary",
          "table.users-table tbody",
          ".pager",
        ]);
        await gotoLive(page, "/users/new");
        // The roles and teams on offer change as other tests add some.
        await shot(page, `new-user-${size.name}-${colorScheme}`, ["fieldset"]);
      });
    });
  }
}
