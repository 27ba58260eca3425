import { expect, test, type Page } from "@playwright/test";
import { E2E_PASSWORD } from "./support";

// What a first visit downloads (the WASM, JS and CSS, compressed as they
// travel): on a slow line it is the time before the page works. Measured as
// Chromium received it, with an empty cache.
//
// The goal is 350 KB. Today the whole console is one WASM file (540 KB
// brotli with the More actions menu, dialog focus handling, the no-JS
// forms and the component gallery; 527 KB since Login as and API tokens
// came, 501 KB with the Audit and Statistics pages, 474 KB with Roles and
// Teams, 419 KB before), so both pages download about 550 KB.
// The split by route (Leptos lazy routes, `cargo leptos build --split`)
// builds and runs with cargo-leptos 0.3.7 and wasm-bindgen 0.2.130, and was
// measured (issue 14's note, 2026-12-07): one file per page gave the
// sign-in page 334 KB but the Users table 194 files, 546 KB, and 2.1 s to
// become live at 4x CPU throttling instead of 0.9 s; three groups (sign-in,
// signed-out, console) gave the Users table about 660 KB by its files'
// compressed sizes, more than one file, since split files lose
// whole-program optimisation. Most of a page's code is shared, so reaching
// 350 KB on the Users table needs less code, not more files. Until then
// this limit keeps the download from growing unnoticed: it is today's size
// plus a little room, and is raised only with a measurement in the
// change's note.
const BUDGET_BYTES = 560 * 1024;

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

test("the sign-in page's first load stays within its download budget", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const files = await firstLoadBytes(page, "/login");
  expect(files.some((f) => f.name.endsWith(".wasm")), "the WASM was downloaded").toBe(true);
  expect(report("/login", files)).toBeLessThanOrEqual(BUDGET_BYTES);
  await context.close();
});

test("the Users table's first load stays within its download budget", async ({ browser, baseURL }) => {
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
