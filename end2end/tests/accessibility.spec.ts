import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { gotoLive, signIn } from "./support";

// axe-core over every page, as each kind of visitor sees it, in the light
// and the dark theme, and with a dialog open and a toast showing: no
// serious or critical violation. Moderate and minor ones are printed, so
// they are seen without failing the suite.

const SIGNED_OUT = ["/login", "/forgot-password", "/reset-password?token=nothing", "/accept-invitation?token=nothing"];
const PLAIN_USER = ["/", "/account", "/account/password", "/account/tokens"];
const ADMINISTRATOR = [
  "/users",
  "/users?q=zzzz-nobody",
  "/users/new",
  "/users/plain",
  "/roles",
  "/roles/new",
  "/roles/Administrator",
  "/teams",
  "/teams/new",
  "/audit",
  "/statistics",
  "/outbox",
  "/dev/components",
];

/** Runs axe-core on the page as it is; returns its serious and critical findings. */
async function check(page: Page, what: string): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    // The API reference's Swagger UI is not ours.
    .exclude(".swagger-ui")
    .analyze();
  const blocking = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of results.violations.filter((v) => !blocking.includes(v))) {
    console.log(`[axe ${v.impact}] ${what}: ${v.id} (${v.nodes.length}): ${v.help}`);
  }
  return blocking.map(
    (v) => `${what}: ${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join("\n    ")}`,
  );
}

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`${colorScheme} theme`, () => {
    test.use({ colorScheme });

    test(`signed-out pages have no serious accessibility violations (${colorScheme})`, async ({ page }) => {
      const found: string[] = [];
      for (const url of SIGNED_OUT) {
        await gotoLive(page, url);
        found.push(...(await check(page, `${url} signed out, ${colorScheme}`)));
      }
      // A refused sign-in shows its message next to the form.
      await gotoLive(page, "/login");
      await page.getByLabel("Username or email").fill("nobody");
      await page.getByLabel("Password").fill("not-the-password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByRole("alert")).toBeVisible();
      found.push(...(await check(page, `/login refused, ${colorScheme}`)));
      expect(found, "serious or critical axe-core violations").toEqual([]);
    });

    test(`a plain user's pages have no serious accessibility violations (${colorScheme})`, async ({ page }) => {
      const found: string[] = [];
      await signIn(page, "plain");
      for (const url of PLAIN_USER) {
        await gotoLive(page, url);
        found.push(...(await check(page, `${url} as a plain user, ${colorScheme}`)));
      }
      expect(found, "serious or critical axe-core violations").toEqual([]);
    });

    test(`an administrator's pages, a dialog and a toast have no serious accessibility violations (${colorScheme})`, async ({ page }) => {
      test.setTimeout(90_000);
      const found: string[] = [];
      await signIn(page, "admin");
      for (const url of ADMINISTRATOR) {
        await gotoLive(page, url);
        found.push(...(await check(page, `${url} as an administrator, ${colorScheme}`)));
      }
      // The More actions menu open, then a confirmation dialog open.
      await gotoLive(page, "/users?q=plain%40example.com");
      await page.getByRole("checkbox", { name: "Select plain", exact: true }).check();
      await page.getByRole("button", { name: "More actions" }).click();
      await expect(page.getByRole("menu")).toBeVisible();
      found.push(...(await check(page, `/users with More actions open, ${colorScheme}`)));
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: "Force Sign Out User(s)" }).click();
      await expect(page.getByRole("dialog")).toBeVisible();
      found.push(...(await check(page, `/users with a dialog open, ${colorScheme}`)));
      // Confirming it shows the result as a toast.
      await page.getByRole("dialog").getByRole("button", { name: "Force Sign Out User(s)" }).click();
      await expect(page.getByRole("status").filter({ hasText: /^Signed out/ })).toBeVisible();
      found.push(...(await check(page, `/users with a toast showing, ${colorScheme}`)));
      expect(found, "serious or critical axe-core violations").toEqual([]);
    });
  });
}
