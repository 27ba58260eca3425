import { expect, test } from "@playwright/test";
import { signIn } from "./support";

test.beforeEach(async ({ page }) => {
  await signIn(page, "admin");
});

test("the home page is served and hydrates", async ({ page }) => {
  // A hydration mismatch or a WASM panic shows up as a page or console error.
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Welcome to Roster" })).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav).toBeVisible();

  // The navigation toggle is a Leptos signal: it only works once the WASM has
  // hydrated the page. Clicking before that does nothing, so retry.
  await expect(async () => {
    await page.getByRole("button", { name: "Hide navigation" }).click();
    await expect(page.getByRole("button", { name: "Show navigation" })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(nav).toBeHidden();
  await expect(page.getByRole("button", { name: "Show navigation" })).toHaveAttribute("aria-expanded", "false");

  await page.getByRole("button", { name: "Show navigation" }).click();
  await expect(nav).toBeVisible();
  expect(errors).toEqual([]);
});

test("navigation moves between pages in the browser and marks the current one", async ({ page }) => {
  await page.goto("/");
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "Teams" }).click();
  await expect(page).toHaveURL(/\/teams$/);
  await expect(page.getByRole("heading", { level: 1, name: "Teams" })).toBeVisible();
  await expect(page.getByRole("link", { name: "New Team" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Teams" })).toHaveAttribute("aria-current", "page");
  await expect(page).toHaveTitle("Teams · Roster");
});

test("/healthz answers 200 with JSON", async ({ request }) => {
  const response = await request.get("/healthz");
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ status: "ok", database: "ok" });
});

test("an unknown address shows the 404 page with status 404", async ({ page }) => {
  const response = await page.goto("/there/is/nothing/here");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await page.getByRole("link", { name: "Go to the home page" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Welcome to Roster" })).toBeVisible();
});

test("hashed assets are cached for a year and pages are not stored", async ({ page }) => {
  const assets: { url: string; cacheControl: string | undefined }[] = [];
  page.on("response", (r) => {
    if (r.url().includes("/pkg/")) assets.push({ url: r.url(), cacheControl: r.headers()["cache-control"] });
  });
  const response = await page.goto("/");
  expect(response?.headers()["cache-control"]).toBe("no-store");
  await page.waitForLoadState("networkidle");
  expect(assets.length).toBeGreaterThanOrEqual(3); // CSS, JS, WASM
  for (const asset of assets) {
    expect(asset.url).toMatch(/roster\.[A-Za-z0-9_-]+\.(css|js|wasm)$/);
    expect(asset.cacheControl).toBe("public, max-age=31536000, immutable");
  }
});
