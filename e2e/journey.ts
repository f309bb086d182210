/** Steps the connection journeys share: signing in to the portal and acting as a person on Apicbase's pages. */
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import { SANDBOX_USERS } from "../lib/sandbox";
import { EMULATOR_URL, SCREENSHOTS_DIR } from "./urls";

export type DemoUser = "admin" | "partner" | "nora" | "otto";

export function demoUser(name: DemoUser) {
  const user = SANDBOX_USERS.find((candidate) => candidate.email === `${name}@sandbox.test`);
  if (!user) throw new Error(`no sandbox user ${name}`);
  return user;
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${name}.png`), fullPage: true });
}

/** On Apicbase's (the emulator's) login page: log in as a demo user. */
export async function logInAtApicbase(page: Page, name: DemoUser) {
  const user = demoUser(name);
  await expect(page).toHaveURL(new RegExp(`^${EMULATOR_URL}/accounts/login/`));
  await page.getByLabel("Username").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** On Apicbase's consent page: approve or cancel. */
export async function answerConsent(page: Page, answer: "Authorize" | "Cancel" = "Authorize") {
  await expect(page.getByRole("heading", { name: /^Authorize / })).toBeVisible();
  await page.getByRole("button", { name: answer }).click();
}

/** The portal's sign-in, through Apicbase's login and consent pages, as a person would. */
export async function signIn(page: Page, name: DemoUser) {
  await page.goto("/signin");
  await page.getByRole("button", { name: "Sign in with Apicbase" }).click();
  await logInAtApicbase(page, name);
  await answerConsent(page);
  await expect(page).not.toHaveURL(/\/signin/);
}
