import { expect, test, type Page } from "@playwright/test";
import { E2E_PASSWORD } from "./support";

// What a first visit downloads (the WASM, JS and CSS, compressed as they
// travel) must stay within 350 KB: on a slow line that is the time before
// the page works. Measured as Chromium received it, with an empty cache.
const BUDGET_BYTES = 350 * 1024;

async function firstLoadBytes(page: Page, url: string) {
  await page.goto(url);
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  return page.evaluate(() =>
    (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
      .filter((entry) => /\.(wasm|js|css)(\?|$)/.test(new URL(entry.name).pathname))
      .map((entry) => ({ name: new URL(entry.name).pathname, bytes: entry.encodedBodySize })),
  );
}

function report(url: string, files: { name: string; bytes: number }[]) {
  const total = files.reduce((sum, f) => sum + f.bytes, 0);
  const lines = files.map((f) => `  ${f.name} ${(f.bytes / 1024).toFixed(1)} KB`).join("\n");
  console.log(`first load of ${url}: ${(total / 1024).toFixed(1)} KB compressed\n${lines}`);
  return total;
}

test("the sign-in page's first load is within 350 KB compressed", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const files = await firstLoadBytes(page, "/login");
  expect(files.some((f) => f.name.endsWith(".wasm")), "the WASM was downloaded").toBe(true);
  expect(report("/login", files)).toBeLessThanOrEqual(BUDGET_BYTES);
  await context.close();
});

test("the Users table's first load is within 350 KB compressed", async ({ browser, baseURL }) => {
  const context = await browser.newContext();
  // Signed in without loading any page, so the cache is still empty.
  const answer = await context.request.post("/api/sign_in", {
    form: { login: "admin", password: E2E_PASSWORD },
    headers: { Origin: baseURL! },
  });
  expect(answer.ok()).toBe(true);
  const page = await context.newPage();
  const files = await firstLoadBytes(page, "/users");
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
  expect(files.some((f) => f.name.endsWith(".wasm")), "the WASM was downloaded").toBe(true);
  expect(report("/users", files)).toBeLessThanOrEqual(BUDGET_BYTES);
  await context.close();
});
