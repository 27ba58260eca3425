import { expect, test } from "@playwright/test";
import { collectErrors, gotoLive, signIn } from "./support";

test("Statistics: Total users equals the Users table's total, and the growth chart has its name", async ({ page }) => {
  const errors = collectErrors(page);
  await signIn(page, "admin");
  await gotoLive(page, "/statistics");
  const total = page.getByRole("link", { name: /^Total users \d+$/ });
  await expect(total).toBeVisible();
  const figure = Number((await total.locator(".figure-value").textContent())!.trim());
  expect(figure).toBeGreaterThan(100);
  for (const label of ["Active", "Inactive", "Locked", "Suspended", "Invited", "Signed in now", "Added in the last 30 days"]) {
    await expect(page.getByRole("link", { name: new RegExp(`^${label} \\d+$`) })).toBeVisible();
  }
  await expect(page.getByRole("img", { name: /^User growth by month/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /^User growth by day/ })).toBeVisible();
  // The numbers are a table too.
  await page.getByText("Show the numbers").nth(1).click();
  await expect(page.getByRole("table", { name: /^User growth by month/ })).toBeVisible();

  // The figure leads to the Users table, which counts the same users.
  await total.click();
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.locator(".table-summary")).toHaveText(new RegExp(`^Users 1–25 of ${figure}$`));

  // A state's figure leads to its filter, with the same count.
  await gotoLive(page, "/statistics");
  const locked = page.getByRole("link", { name: /^Locked \d+$/ });
  const lockedCount = Number((await locked.locator(".figure-value").textContent())!.trim());
  await locked.click();
  await expect(page).toHaveURL(/\/users\?status=locked$/);
  await expect(page.locator(".table-summary")).toHaveText(new RegExp(`of ${lockedCount}$`));
  expect(errors).toEqual([]);
});

test("Statistics reads without JavaScript", async ({ page: signedIn, browser }) => {
  await signIn(signedIn, "admin");
  const storageState = await signedIn.context().storageState();
  const context = await browser.newContext({ javaScriptEnabled: false, storageState });
  const page = await context.newPage();
  // A context made by hand does not take the config's baseURL.
  await page.goto(new URL("/statistics", signedIn.url()).href);
  await expect(page.getByRole("link", { name: /^Total users \d+$/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /^User growth by month/ })).toBeVisible();
  await context.close();
});
