import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { EmulatorControl } from "../emulator/testing";
import { SANDBOX_DESK_APP } from "../lib/sandbox";
import { answerConsent, deskAppOrganization, logInAtApicbase, screenshot } from "./journey";
import { EMULATOR_URL, PORTAL_URL } from "./urls";

/** The "Connect a library" form: the dashboard's filters have an "Application" field too. */
const connectForm = (page: Page) =>
  page.locator("form").filter({ has: page.getByRole("button", { name: "Connect a library" }) });

/**
 * Manual code entry for an application without a redirect URL (the sandbox's desk app, registered by an admin): the
 * partner opens Apicbase's approval page in a new tab, pastes the code it shows, and gets an ordinary connection. A
 * used code, an expired one and junk are refused, junk without a request to Apicbase. The journey works in an
 * organization of its own, as an admin, so the sandbox organization's connections stay as other journeys expect.
 */
test.describe.configure({ mode: "serial" });

const emulator = new EmulatorControl(EMULATOR_URL);
const EXPIRED = "This code has expired or was already used: open the link again.";

let context: BrowserContext;
let page: Page;
let organizationId = "";
let usedCode = "";

const codeField = () => page.getByLabel("Code from Apicbase");
const expiredAlert = () => page.getByRole("alert").filter({ hasText: EXPIRED });
const NOT_THIS_ATTEMPT =
  "You have not opened Apicbase's approval page from this page yet, so this code is not one Apicbase issued for this attempt";
const notThisAttemptAlert = () => page.getByRole("alert").filter({ hasText: NOT_THIS_ATTEMPT });

async function startWithDeskApp(shot?: string) {
  await page.goto(`/connections?organization=${organizationId}`);
  await connectForm(page)
    .getByLabel("Application")
    .selectOption({ label: `${SANDBOX_DESK_APP.name} (paste a code from Apicbase)` });
  if (shot) await screenshot(page, shot);
  await page.getByRole("button", { name: "Connect a library" }).click();
  await expect(page).toHaveURL(`${PORTAL_URL}/connections/manual-code`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Connect a library with a code");
}

/** Opens the approval page in the new tab the link opens, approves there, and reads the code Apicbase shows. */
async function approveInNewTab(link: string | RegExp, login: boolean): Promise<string> {
  const [tab] = await Promise.all([context.waitForEvent("page"), page.getByRole("link", { name: link }).click()]);
  if (login) await logInAtApicbase(tab, "otto");
  await answerConsent(tab);
  await expect(tab.getByText("Please return to your application and enter this code:")).toBeVisible();
  const code = (await tab.locator("code").textContent())?.trim() ?? "";
  expect(code).toMatch(/^[A-Za-z0-9]{30}$/);
  await tab.close();
  return code;
}

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext();
  page = await context.newPage();
  organizationId = await deskAppOrganization(page, "Desk Kitchen");
  await emulator.setActiveLibrary("otto@sandbox.test", 103);
});

test.afterAll(async () => {
  await emulator.resetClock().catch(() => undefined);
  await context?.close();
});

test("junk is refused at the field without a request to Apicbase; a code pasted within time connects", async () => {
  await startWithDeskApp("connections-choose-application");
  await expect(page.getByText("The 60-second countdown starts when you open the approval page.")).toBeVisible();
  await screenshot(page, "manual-code-start");

  const before = await emulator.stats();
  await codeField().fill("hello there, this is not a code");
  await page.getByRole("button", { name: "Connect with this code" }).click();
  await expect(codeField()).toHaveAccessibleDescription(/That is not an Apicbase code/);
  await expect(codeField()).toHaveAttribute("aria-invalid", "true");
  // A pasted line without anything code-shaped is refused the same way, at once.
  await codeField().fill("");
  await codeField().evaluate((input, text) => {
    const data = new DataTransfer();
    data.setData("text/plain", text);
    input.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, "Please return to your application");
  await expect(codeField()).toHaveAccessibleDescription(/That is not an Apicbase code/);
  await screenshot(page, "manual-code-junk");
  const after = await emulator.stats();
  expect(after.requests).toEqual(before.requests);

  // The partner is logged in at Apicbase as the admin; the library's user approves instead.
  await context.clearCookies({ domain: "127.0.0.1" });
  const code = await approveInNewTab(/^Open Apicbase's approval page/, true);
  const timer = page.getByRole("timer", { name: "Time left to paste the code" });
  await expect(timer).toHaveText(/^0:[0-5]\d$/);
  await expect(page.getByText("Apicbase counts the 60 seconds from when it showed you the code")).toBeVisible();
  await screenshot(page, "manual-code-countdown");
  // A reload keeps the countdown: Apicbase's clock did not stop.
  await page.reload();
  await expect(timer).toHaveText(/^0:[0-5]\d$/);

  // Pasting the whole copied line, spaces and all, connects at once: no button to press.
  usedCode = code;
  await codeField().evaluate((input, text) => {
    const data = new DataTransfer();
    data.setData("text/plain", text);
    input.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, `  Please return to your application and enter this code: ${code}  \n`);
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?notice=connected$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Brasserie Oost");
  await expect(page.getByRole("status").filter({ hasText: '"Brasserie Oost" is connected.' })).toBeVisible();
  await expect(page.getByRole("region", { name: "Connection", exact: true })).toContainText(SANDBOX_DESK_APP.name);
  await expect(page.getByRole("region", { name: "Connection", exact: true })).toContainText("Otto Oost");
  const stats = await emulator.stats();
  expect(stats.token_grants.authorization_code.ok).toBe(before.token_grants.authorization_code.ok + 1);
});

test("a used code pasted into a new attempt, whose link was never opened, says so, with a button that opens the link", async () => {
  await startWithDeskApp();
  const before = await emulator.stats();
  await codeField().fill(`  ${usedCode} `);
  await page.getByRole("button", { name: "Connect with this code" }).click();
  await expect(notThisAttemptAlert()).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: EXPIRED })).toHaveCount(0);
  await expect(notThisAttemptAlert().getByRole("link", { name: /^Open Apicbase's approval page/ })).toHaveAttribute(
    "target",
    "_blank",
  );
  await screenshot(page, "manual-code-never-opened");
  const after = await emulator.stats();
  expect(after.token_grants.authorization_code.error).toBe(before.token_grants.authorization_code.error + 1);
  await expect(page).toHaveURL(`${PORTAL_URL}/connections/manual-code`);
});

test("a code pasted after Apicbase's clock moved 61 seconds fails with the message", async () => {
  // The button of the last refusal opens the link; otto is still logged in at Apicbase in this browser.
  const code = await approveInNewTab(/^Open Apicbase's approval page/, false);
  expect(code).not.toBe(usedCode);
  try {
    await emulator.advanceClock(61);
    await codeField().fill(`urn:ietf:wg:oauth:2.0:oob?code=${code}`);
    await page.getByRole("button", { name: "Connect with this code" }).click();
    await expect(expiredAlert()).toBeVisible();
    await expect(expiredAlert().getByRole("link", { name: /^Open the link again/ })).toHaveAttribute(
      "target",
      "_blank",
    );
    await screenshot(page, "manual-code-expired");
  } finally {
    await emulator.resetClock();
  }
  // Nothing was added: the organization still has the one connection.
  await page.goto(`/connections?organization=${organizationId}`);
  await expect(page.getByRole("status").filter({ hasText: /^Showing/ })).toHaveText("Showing 1–1 of 1 connection.");
});

test("re-authorizing a connection of an application without a redirect URL goes through manual code entry too", async () => {
  await page.getByRole("link", { name: "Brasserie Oost" }).click();
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}$/);
  const connectionUrl = page.url();
  // A re-authorization link would come back through a redirect URI this application does not have.
  const linkSection = page.getByRole("region", { name: "Send a re-authorization link" });
  await expect(linkSection).toContainText("Not available for this connection");
  await expect(linkSection.getByRole("button", { name: "Create re-authorization link" })).toHaveCount(0);
  await page.getByRole("button", { name: "Re-authorize" }).click();
  await expect(page).toHaveURL(`${PORTAL_URL}/connections/manual-code`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Re-authorize “Brasserie Oost” with a code");
  const code = await approveInNewTab(/^Open Apicbase's approval page/, false);
  await codeField().fill(code);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(`${connectionUrl}?notice=reauthorized`);
  await expect(page.getByRole("status").filter({ hasText: '"Brasserie Oost" is re-authorized' })).toBeVisible();
  await expect(page.getByRole("region", { name: "History", exact: true }).getByRole("row").nth(1)).toContainText(
    "with a pasted code",
  );
});
