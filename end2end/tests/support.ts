import * as fs from "node:fs";
import * as path from "node:path";
import { expect, type Page } from "@playwright/test";

/** The password of the accounts the web server is started with. */
export const E2E_PASSWORD = "Violet-Harbour-Lantern-42";

/**
 * Collects page errors and console errors: a hydration mismatch, a WASM
 * panic or a Content-Security-Policy violation all show up here.
 */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    // Chromium logs every 4xx answer of a fetch; a refused sign-in is one.
    if (m.type() === "error" && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) {
      errors.push(m.text());
    }
  });
  return errors;
}

/**
 * Opens a page and waits until it is live (hydrated): a form submitted
 * before that is posted by the browser itself, without the page's handling.
 */
export async function gotoLive(page: Page, url: string) {
  await page.goto(url);
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
}

/** Signs in through the sign-in page and waits for the page it leads to. */
export async function signIn(page: Page, login: string, password = E2E_PASSWORD) {
  await gotoLive(page, "/login");
  await page.getByLabel("Username or email").fill(login);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

/** The newest .eml in the outbox sent to `address`, quoted-printable undone. */
export async function emailTo(address: string): Promise<string> {
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
