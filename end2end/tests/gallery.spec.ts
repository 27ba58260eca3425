import { expect, test } from "@playwright/test";
import { collectErrors, gotoLive, signIn } from "./support";

// The component gallery (/dev/components, on with ROSTER_DEV_PAGES=on):
// every shared component is there and works as it does in the pages.

test("the component gallery shows every shared component, working", async ({ page }) => {
  const errors = collectErrors(page);
  await signIn(page, "plain");
  await gotoLive(page, "/dev/components");
  await expect(page.getByRole("heading", { level: 1, name: "Components" })).toBeVisible();
  for (const name of [
    "Buttons", "Badges", "TextField", "NewPasswordFields", "Checkbox", "ChoiceList", "Notice",
    "MenuButton", "ConfirmDialog", "Toasts", "Pager", "SessionTable", "BarChart",
  ]) {
    await expect(page.getByRole("heading", { level: 2, name, exact: true })).toBeVisible();
  }
  // A field in its error state says why, tied to the input.
  await expect(page.getByLabel("Email address")).toHaveAttribute("aria-invalid", "true");

  // The menu: a disabled entry does nothing until it is enabled.
  const menu = page.getByRole("button", { name: "More actions" });
  await menu.click();
  await expect(page.getByRole("menuitem", { name: "Delete User(s)" })).toBeDisabled();
  await page.keyboard.press("End");
  await expect(page.getByRole("menuitem", { name: "Delete User(s)" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByText("Chosen: nothing yet")).toBeVisible();
  await page.keyboard.press("Escape");
  await page.getByLabel("Nothing selected (disables Delete)").uncheck();
  await menu.click();
  await page.getByRole("menuitem", { name: "Delete User(s)" }).click();
  await expect(page.getByText("Chosen: Delete User(s)")).toBeVisible();
  await expect(menu).toBeFocused();

  // The dialog, working and not; confirming shows a toast.
  await page.getByLabel("Show it working (loading state)").check();
  const open = page.getByRole("button", { name: "Open a dialog" });
  await open.click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("button", { name: "Lock User(s)" })).toBeDisabled();
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(open).toBeFocused();
  await page.getByLabel("Show it working (loading state)").uncheck();
  await open.click();
  await dialog.getByRole("button", { name: "Lock User(s)" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Locked 3 users." })).toBeVisible();
  expect(errors).toEqual([]);
});
