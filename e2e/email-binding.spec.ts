import { expect, test, type Browser, type Page } from "@playwright/test";
import { EmulatorControl } from "../emulator/testing";
import { answerConsent, demoUser, logInAtApicbaseWith, screenshot } from "./journey";
import { EMULATOR_URL } from "./urls";

/**
 * Admin rights follow the Apicbase user, not the e-mail address: when Apicbase gives the demo admin's address to
 * another user (sam), that user signs in without admin rights, /admin/members shows it, and another admin confirms.
 * Then everything is put back the same way, so the journeys after this one find the sandbox as it was.
 */
test.describe.configure({ mode: "serial" });

const emulator = new EmulatorControl(EMULATOR_URL);
const ADMIN_EMAIL = "admin@sandbox.test";
const PARKED = "admin.previous@sandbox.test";
const SAM = { email: "sam@sandbox.test", password: "sam-demo" };

/** Signs in with a username and password as typed at Apicbase's login page. */
async function signInAs(browser: Browser, username: string, password: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto("/signin");
  await page.getByRole("button", { name: "Sign in with Apicbase" }).click();
  await logInAtApicbaseWith(page, username, password);
  await answerConsent(page);
  await expect(page).not.toHaveURL(/\/signin|accounts\/login|oauth\/authorize/);
  return page;
}

async function isAdmin(page: Page): Promise<boolean> {
  const response = await page.goto("/admin/members");
  return response?.status() === 200;
}

/** As an admin on /admin/members: confirms that the e-mail now belongs to the Apicbase user who signed in with it. */
async function confirmOwner(admin: Page, email: string, apicbaseUserId: number, shot?: string) {
  await admin.goto("/admin/members");
  const notice = admin.getByRole("region", { name: /e-mail address(es)? changed hands/ });
  await expect(notice).toContainText(`${email} was Apicbase user`);
  await expect(notice).toContainText(`signed in as Apicbase user ${apicbaseUserId}`);
  await expect(notice).toContainText("Withheld: admin rights (PORTAL_ADMIN_EMAILS)");
  if (shot) await screenshot(admin, shot);
  await notice.getByRole("button", { name: `Confirm new owner of ${email}: Apicbase user ${apicbaseUserId}` }).click();
  await admin.getByRole("dialog").getByRole("button", { name: "Yes, confirm" }).click();
  await expect(admin.getByRole("region", { name: /changed hands/ })).toHaveCount(0);
}

test("an admin e-mail that moved to another Apicbase user grants nothing until another admin confirms", async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const adminUser = demoUser("admin");
  const partnerUser = demoUser("partner");
  const sam = SAM;

  // A second admin, by promotion (bound to partner's user id, not to an address).
  const partner = await signInAs(browser, partnerUser.email, partnerUser.password);
  const admin = await signInAs(browser, adminUser.email, adminUser.password);
  await admin.goto("/admin/members");
  const promote = admin.getByRole("button", { name: `Make admin: ${partnerUser.email}` });
  if (await promote.count()) {
    await promote.click();
    await expect(admin.getByRole("button", { name: `Remove admin rights of ${partnerUser.email}` })).toBeVisible();
  }

  // Apicbase gives the admin's address to sam (another user id).
  const { id: adminId } = await emulator.renameUser(ADMIN_EMAIL, PARKED);
  const { id: samId } = await emulator.renameUser(sam.email, ADMIN_EMAIL);
  try {
    const newcomer = await signInAs(browser, ADMIN_EMAIL, sam.password);
    expect(await isAdmin(newcomer)).toBe(false);
    await newcomer.goto("/");
    await expect(newcomer.getByRole("link", { name: "Admin", exact: true })).toHaveCount(0);

    await confirmOwner(partner, ADMIN_EMAIL, samId, "admin-members-email-changed-hands");
    await partner.goto("/admin/audit");
    const audit = await partner.getByRole("table").innerText();
    expect(audit).toContain("E-mail moved to another Apicbase user");
    expect(audit).toContain("E-mail signed in as another Apicbase user");
    expect(await isAdmin(newcomer)).toBe(true);
  } finally {
    // Put the sandbox back: the addresses to their owners, and the admin address to the demo admin's user id.
    await emulator.renameUser(ADMIN_EMAIL, sam.email).catch(() => undefined);
    await emulator.renameUser(PARKED, ADMIN_EMAIL).catch(() => undefined);
  }
  const original = await signInAs(browser, ADMIN_EMAIL, adminUser.password);
  expect(await isAdmin(original)).toBe(false);
  await confirmOwner(partner, ADMIN_EMAIL, adminId);
  expect(await isAdmin(original)).toBe(true);
  await original.goto("/admin/members");
  await original.getByRole("button", { name: `Remove admin rights of ${partnerUser.email}` }).click();
  await expect(original.getByRole("button", { name: `Make admin: ${partnerUser.email}` })).toBeVisible();
});
