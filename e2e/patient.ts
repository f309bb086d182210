/**
 * Patient versions of `expect` and of the steps at Apicbase, for the journeys that go through many redirects: on a
 * shared, busy machine a redirect through Apicbase can take well over the default 5 seconds.
 */
import { expect as baseExpect, type Page } from "@playwright/test";
import { demoUser, type DemoUser } from "./journey";

export const expect = baseExpect.configure({ timeout: 20_000 });

/** On Apicbase's login page (waited for up to 30 s): logs in as `name`. */
export async function logInAtApicbase(page: Page, name: DemoUser) {
  const user = demoUser(name);
  await page.waitForURL(/\/accounts\/login\//, { timeout: 30_000 });
  await page.getByLabel("Username").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** On Apicbase's consent page: approves. */
export async function answerConsent(page: Page) {
  await expect(page.getByRole("heading", { name: /^Authorize / })).toBeVisible();
  await page.getByRole("button", { name: "Authorize" }).click();
}
