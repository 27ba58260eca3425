import { expect, test } from "@playwright/test";
import { collectErrors, gotoLive, signIn } from "./support";

test("an API token is made on the tokens page, shown once, works on /api/v1, and is revoked", async ({
  page,
  request,
}) => {
  const errors = collectErrors(page);
  await signIn(page, "admin");
  await gotoLive(page, "/account");
  await page.getByRole("link", { name: "Manage API tokens" }).click();
  await expect(page).toHaveURL(/\/account\/tokens$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("API tokens");

  // Refused on the page first: no permission chosen.
  await page.getByLabel("Name").fill("E2E script");
  await page.getByRole("button", { name: "Create Token" }).click();
  await expect(page.getByText("Choose at least one permission for the token.")).toBeVisible();

  await page.getByLabel("Expires in").selectOption("30");
  await page.getByRole("checkbox", { name: "View users", exact: true }).check();
  await page.getByRole("button", { name: "Create Token" }).click();
  const shown = page.getByLabel("Your new API token", { exact: true });
  await expect(shown).toHaveText(/^roster_[A-Za-z0-9_-]{43}$/);
  const secret = (await shown.textContent()) ?? "";
  const row = page.getByRole("table").getByRole("row").filter({ hasText: "E2E script" });
  await expect(row).toContainText(secret.slice(0, 12));
  await expect(row).toContainText("View users");

  const me = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${secret}` } });
  expect(me.status()).toBe(200);
  expect((await me.json()).permissions).toEqual(["users.view"]);

  // Revoked, after confirming: the token stops at once.
  await row.getByRole("button", { name: "Revoke E2E script" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "The token was revoked." })).toBeVisible();
  await expect(page.getByRole("table").getByRole("row").filter({ hasText: "E2E script" })).toHaveCount(0);
  const after = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${secret}` } });
  expect(after.status()).toBe(401);
  expect(after.headers()["content-type"]).toBe("application/problem+json");
  expect(errors).toEqual([]);
});

test("the API reference at /api/docs draws every route from the app's own files, within the CSP", async ({ page }) => {
  const errors = collectErrors(page);
  const fromElsewhere: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith("http://127.0.0.1")) fromElsewhere.push(r.url());
  });
  await page.goto("/api/docs");
  await expect(page.getByRole("heading", { name: /Roster System API/ })).toBeVisible();
  await expect(page.getByText("/api/v1/users/bulk", { exact: true })).toBeVisible();
  await expect(page.getByText("/api/v1/users/{user}/sessions/{session}", { exact: true })).toBeVisible();
  await page.getByText("/api/v1/users/bulk", { exact: true }).click();
  await expect(page.getByText('"action": "lock"').first()).toBeVisible();
  expect(fromElsewhere).toEqual([]);
  expect(errors).toEqual([]);
});

test("a script's changes over the REST API show on the administrator's open Users table", async ({
  page,
  request,
}) => {
  await signIn(page, "admin");
  await gotoLive(page, "/account/tokens");
  await page.getByLabel("Name").fill("Provisioning script");
  for (const permission of ["View users", "Create and invite users", "Lock, unlock, activate and suspend users"]) {
    await page.getByRole("checkbox", { name: permission, exact: true }).check();
  }
  await page.getByRole("button", { name: "Create Token" }).click();
  const secret = (await page.getByLabel("Your new API token", { exact: true }).textContent()) ?? "";
  const auth = { Authorization: `Bearer ${secret}` };

  await gotoLive(page, "/users?q=restscript");
  await expect(page.getByRole("status").filter({ hasText: "No users match." })).toBeVisible();
  const made = await request.post("/api/v1/users", {
    headers: auth,
    data: { username: "restscript", email: "restscript@example.com", name: "Rhea Script", roles: ["User"], password: "Copper-Kettle-Morning-88" },
  });
  expect(made.status()).toBe(201);
  const row = page.getByRole("row").filter({ hasText: "restscript@example.com" });
  await expect(row).toBeVisible();
  const locked = await request.post("/api/v1/users/bulk", {
    headers: auth,
    data: { action: "lock", matching: "q=restscript" },
  });
  expect(await locked.json()).toMatchObject({ succeeded: 1, skipped: [] });
  await expect(row).toContainText("Locked");
});
