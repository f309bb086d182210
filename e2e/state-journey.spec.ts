import { test, type BrowserContext, type Locator, type Page } from "@playwright/test";
import { EmulatorControl } from "../emulator/testing";
import { createOrganization, screenshot, type DemoUser } from "./journey";
import { answerConsent, expect, logInAtApicbase } from "./patient";
import { EMULATOR_URL } from "./urls";

/**
 * One connection walked through its life: connect → verify → drift → back → a failed manual refresh → recovery →
 * revoke → re-authorize. After every step the dashboard row and the detail page must tell the truth: no stale
 * "active", no countdown for a dead token, History labels that say what happened, and the other actions disabled
 * while one runs. In an organization of its own, connected as otto (Brasserie Oost, 103; also owns 104).
 */
test.describe.configure({ mode: "serial" });

const emulator = new EmulatorControl(EMULATOR_URL);

async function signIn(page: Page, name: DemoUser) {
  await page.goto("/signin");
  await page.getByRole("button", { name: "Sign in with Apicbase" }).click();
  await logInAtApicbase(page, name);
  await answerConsent(page);
  await page.waitForURL((url) => !url.pathname.startsWith("/signin") && url.port !== new URL(EMULATOR_URL).port, {
    timeout: 30_000,
  });
}
const ORGANIZATION = `State Journey ${Date.now().toString(36)}`;

let context: BrowserContext;
let page: Page;
let organizationId = "";
let connectionUrl = "";

const badge = () => page.locator("main h1 + [data-status]");
const facts = () => page.getByRole("region", { name: "Connection", exact: true });
const fact = (label: string): Locator =>
  facts()
    .locator("div")
    .filter({ has: page.getByRole("term").filter({ hasText: new RegExp(`^${label}$`) }) })
    .getByRole("definition");
const actionResult = () => page.getByRole("status", { name: "Result of the last action" });
const actions = () => page.getByRole("region", { name: "Actions" });
const history = () => page.getByRole("region", { name: "History", exact: true });
const latestEvent = () => history().getByRole("row").nth(1).getByRole("cell").nth(1);
/** The newest History row's event (a failure carries a "(failed)" for screen readers). */
const expectLatestEvent = (label: string) =>
  expect(latestEvent()).toHaveText(new RegExp(`^${label.replace(/[()]/g, "\\$&")}( \\(failed\\))?$`));
const row = () => page.getByRole("row", { name: /Brasserie Oost/ });
/** A figure of the organization's health panel, under the dashboard. */
const healthFigure = (label: string) =>
  page
    .getByRole("region", { name: "Health over the last 30 days" })
    .locator("div")
    .filter({ has: page.getByRole("term").filter({ hasText: label }) })
    .getByRole("definition");

async function openDetail() {
  await page.goto(connectionUrl);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Brasserie Oost");
}

async function openDashboard() {
  await page.goto(`/connections?organization=${organizationId}`);
  await expect(row()).toBeVisible();
}

/** The dashboard row, read as a reviewer would after each step. */
async function expectRow(expected: {
  status: string;
  countdown: boolean;
  texts?: (string | RegExp)[];
  absent?: (string | RegExp)[];
}) {
  await openDashboard();
  await expect(row().locator("[data-status]")).toHaveText(expected.status);
  await expect(row().getByRole("timer")).toHaveCount(expected.countdown ? 1 : 0);
  for (const text of expected.texts ?? []) await expect(row()).toContainText(text);
  for (const text of expected.absent ?? []) await expect(row()).not.toContainText(text);
}

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext({ timezoneId: "Europe/Brussels" });
  page = await context.newPage();
});

test.afterAll(async () => {
  await emulator.clearFaults().catch(() => undefined);
  await emulator.setActiveLibrary("otto@sandbox.test", 103).catch(() => undefined);
  await context?.close();
});

test("connect: active, a live countdown, never verified, History says Connected", async () => {
  await signIn(page, "admin");
  organizationId = await createOrganization(page, ORGANIZATION);
  await page.goto(`/connections?organization=${organizationId}`);
  // The library's owner approves at Apicbase, not the admin who is logged in there.
  await context.clearCookies({ domain: "127.0.0.1" });
  await page.getByRole("button", { name: "Connect a library" }).click();
  await logInAtApicbase(page, "otto");
  await answerConsent(page);
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?notice=connected$/);
  connectionUrl = page.url().split("?")[0]!;

  await expect(badge()).toHaveText("Active");
  await expect(fact("Access token expires").getByRole("timer")).toHaveText(/^6d 23h \d\dm \d\ds left$/);
  // The viewer's time zone, named.
  await expect(fact("Access token expires").locator("time")).toHaveText(/^\d{1,2} \w{3} \d{4}, \d\d:\d\d CET$/);
  await expect(fact("Last verification")).toHaveText("Never verified");
  await expectLatestEvent("Connected");
  await screenshot(page, "state-1-connected-detail");

  await expectRow({ status: "Active", countdown: true, texts: ["Verified never", "Refreshed never"] });
  await screenshot(page, "state-1-connected-dashboard");
});

test("verify: while it runs the other actions are disabled; then active, and History says so", async () => {
  await openDetail();
  // Apicbase answers slowly, so the running action can be watched.
  await emulator.fault({ endpoint: "introspect", mode: "slow", delay_ms: 3000 });
  await actions().getByRole("button", { name: "Verify" }).click();
  await expect(actions().getByRole("button", { name: "Verifying…" })).toBeDisabled();
  for (const name of ["Refresh", "Re-authorize", "Revoke"]) {
    await expect(actions().getByRole("button", { name, exact: true })).toBeDisabled();
  }
  await expect(actions()).toHaveAttribute("aria-busy", "true");
  await screenshot(page, "state-2-verify-running");

  await expect(actionResult()).toContainText("Apicbase confirms the access token is active.");
  await expect(actionResult().locator("[data-tone]")).toHaveAttribute("data-tone", "success");
  for (const name of ["Refresh", "Verify", "Re-authorize", "Revoke"]) {
    await expect(actions().getByRole("button", { name, exact: true })).toBeEnabled();
  }
  await expect(fact("Last verification")).toContainText(/^active · just now/);
  await expect(fact("Last verification")).not.toContainText("before");
  await expectLatestEvent("Verified: active");
  await screenshot(page, "state-2-verified-detail");

  await expectRow({ status: "Active", countdown: true, texts: [/Verified active · just now/] });
});

test("drift: Verify warns (not a green success), both pages show the drift, History says where the token reaches", async () => {
  await emulator.setActiveLibrary("otto@sandbox.test", 104);
  await openDetail();
  await actions().getByRole("button", { name: "Verify" }).click();
  await expect(actionResult()).toContainText(
    'its user\'s active library is now "Trattoria West" (104), not "Brasserie Oost" (103)',
  );
  await expect(actionResult().locator("[data-tone]")).toHaveAttribute("data-tone", "warning");
  await expect(page.getByRole("note")).toContainText("Library drift: now reaches Trattoria West (104)");
  await expect(fact("Last verification")).toContainText(/^reaches another library · just now/);
  await expectLatestEvent("Verified: reaches another library");
  await screenshot(page, "state-3-drift-detail");

  await expectRow({
    status: "Active",
    countdown: true,
    texts: ["Library drift: now reaches Trattoria West (104)", "Verified reaches another library"],
  });
  await screenshot(page, "state-3-drift-dashboard");
});

test("back: a later verification that reaches the library again ends the drift", async () => {
  await emulator.setActiveLibrary("otto@sandbox.test", 103);
  await openDetail();
  await actions().getByRole("button", { name: "Verify" }).click();
  await expect(actionResult()).toContainText("Apicbase confirms the access token is active.");
  await expect(page.getByRole("note")).toHaveCount(0);
  await expect(fact("Last verification")).toContainText(/^active · just now/);
  await expect(fact("Last verification")).toContainText("Reached library: Brasserie Oost (103)");
  await expectLatestEvent("Verified: active");

  await expectRow({ status: "Active", countdown: true, texts: [/Verified active · just now/], absent: ["drift"] });
  await expect(row().getByRole("note")).toHaveCount(0);
});

test("a failed manual refresh (Apicbase 500 once) is no 'Refresh failing': the token still counts down, the failure and the retry are named", async () => {
  await openDetail();
  await emulator.fault({ endpoint: "token", mode: "error_500" });
  await actions().getByRole("button", { name: "Refresh" }).click();
  await expect(actionResult().locator("[data-tone]")).toHaveAttribute("data-tone", "error");
  await expect(actionResult()).toContainText("Apicbase had an internal error");
  await expect(badge()).toHaveText("Active");
  await expect(page.getByRole("main")).not.toContainText("Refresh failing");
  await expect(fact("Access token expires").getByRole("timer")).toHaveText(/^6d 23h/);
  await expect(fact("Access token expires")).toContainText(
    /Last refresh failed just now \(.+ CET\) \(server_error\), retrying in less than a minute \(.+ CET\)/,
  );
  await expectLatestEvent("Refresh failed");
  await expect(history().getByRole("row").nth(1)).toContainText("asked for on the portal");
  await screenshot(page, "state-5-refresh-failed-detail");

  await expectRow({
    status: "Active",
    countdown: true,
    texts: ["Last refresh failed just now"],
    absent: ["Refresh failing"],
  });
  await screenshot(page, "state-5-refresh-failed-dashboard");
  // The organization's health counts the failure; nothing needs re-authorization, so that figure links nowhere.
  await expect(healthFigure("Refreshes failed (30 days)")).toHaveText("1");
  await expect(healthFigure("Needing re-authorization now")).toHaveText("0");
  await expect(healthFigure("Needing re-authorization now").getByRole("link")).toHaveCount(0);
});

test("recovery: Refresh works again; the earlier verification is now marked as about the tokens before it", async () => {
  await openDetail();
  await actions().getByRole("button", { name: "Refresh" }).click();
  await expect(actionResult()).toContainText("Refreshed: a new token pair is stored, valid until");
  await expect(badge()).toHaveText("Active");
  await expect(page.getByRole("main")).not.toContainText("Last refresh failed");
  await expect(fact("Last refresh")).toContainText(/^just now/);
  await expect(fact("Last verification")).toContainText(/^active \(before the last refresh\) · /);
  await expectLatestEvent("Refreshed");
  await screenshot(page, "state-6-recovered-detail");

  await expectRow({
    status: "Active",
    countdown: true,
    texts: ["Verified active (before the last refresh)"],
    absent: ["Last refresh failed"],
  });
  await expect(healthFigure("Refreshes succeeded (30 days)")).toHaveText("1");
  await expect(healthFigure("Refreshes failed (30 days)")).toHaveText("1");
});

test("revoke: Revoked everywhere, no countdown, no stale 'active', History says Revoked", async () => {
  await openDetail();
  await actions().getByRole("button", { name: "Revoke" }).click();
  const dialog = page.getByRole("dialog", { name: "Revoke Brasserie Oost?" });
  await dialog.getByLabel("Reason").fill("Walking the connection's life");
  await dialog.getByRole("button", { name: "Yes, revoke" }).click();
  await expect(actionResult()).toContainText('"Brasserie Oost" is revoked');
  await expect(badge()).toHaveText("Revoked");
  await expect(page.getByRole("timer")).toHaveCount(0);
  await expect(fact("Access token expires")).toHaveText("Tokens deleted");
  await expect(fact("Last verification")).toHaveText("no tokens to verify");
  await expect(facts()).not.toContainText(/\bactive\b/);
  await expectLatestEvent("Revoked");
  for (const name of ["Refresh", "Verify", "Revoke"])
    await expect(actions().getByRole("button", { name, exact: true })).toHaveCount(0);
  await expect(actions().getByRole("button", { name: "Re-authorize" })).toBeEnabled();
  await screenshot(page, "state-7-revoked-detail");

  await expectRow({
    status: "Revoked",
    countdown: false,
    texts: ["Tokens deleted", "Verified no tokens to verify"],
    absent: [/\bactive\b/],
  });
  await screenshot(page, "state-7-revoked-dashboard");

  // The admin lists and the status filter agree.
  await page.goto(`/admin/connections?q=${encodeURIComponent("Brasserie Oost")}&status=revoked`);
  await expect(page.getByRole("row", { name: new RegExp(ORGANIZATION) }).locator("[data-status]")).toHaveText(
    "Revoked",
  );
});

test("re-authorize: active again with a fresh countdown; the old verification is history; History says Re-authorized", async () => {
  await openDetail();
  await context.clearCookies({ domain: "127.0.0.1" });
  // Hold the trip to Apicbase until the button's progress is seen: on an idle machine the browser leaves the page
  // before a check could find it.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const toApicbase = `${EMULATOR_URL}/oauth/authorize/**`;
  await page.route(toApicbase, async (route) => {
    await held;
    await route.continue();
  });
  await actions().getByRole("button", { name: "Re-authorize" }).click();
  await expect(actions().getByRole("button", { name: "Opening Apicbase…" })).toBeDisabled();
  release();
  await page.unroute(toApicbase);
  await logInAtApicbase(page, "otto");
  await answerConsent(page);
  await expect(page).toHaveURL(`${connectionUrl}?notice=reauthorized`);
  await expect(badge()).toHaveText("Active");
  await expect(fact("Access token expires").getByRole("timer")).toHaveText(/^6d 23h/);
  await expect(fact("Last verification")).toContainText(/^active \(of the tokens held before the last approval\) · /);
  await expectLatestEvent("Re-authorized");
  await screenshot(page, "state-8-reauthorized-detail");

  await expectRow({
    status: "Active",
    countdown: true,
    texts: ["Verified active (of the tokens held before the last approval)"],
  });
  await screenshot(page, "state-8-reauthorized-dashboard");
});
