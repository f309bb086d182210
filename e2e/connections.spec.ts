import { expect, test, type BrowserContext, type Locator, type Page, type Request } from "@playwright/test";
import { EmulatorControl } from "../emulator/testing";
import { SANDBOX_PARTNER_APP } from "../lib/sandbox";
import {
  addMember,
  answerConsent,
  createOrganization,
  replayServerAction,
  logInAtApicbase,
  screenshot,
  signIn,
} from "./journey";
import { EMULATOR_URL, PORTAL_URL } from "./urls";

/**
 * The connections journey of one partner, in order: connect two libraries as two Apicbase users, watch them on the
 * dashboard, refresh, verify, lose the grant, re-authorize, drift, cancel, connect again, fend off another
 * organization, disconnect; and, over all of it, no token ever reaches the browser.
 */
test.describe.configure({ mode: "serial" });

const emulator = new EmulatorControl(EMULATOR_URL);
const NOT_YOURS = "This connection does not exist or belongs to another organization.";
/** Apicbase's tokens (and the emulator's) are 30 characters of [A-Za-z0-9]. */
const TOKEN_SHAPED = /(?<![A-Za-z0-9_-])[A-Za-z0-9]{30}(?![A-Za-z0-9_-])/g;

let context: BrowserContext;
let page: Page;
let organizationId = "";
let noraConnection = "";
let ottoConnection = "";
/** Every HTML, RSC and JSON body the partner's (and the other organization's) browser received. */
const bodies: { url: string; body: string }[] = [];
const reading: Promise<void>[] = [];

function capture(target: BrowserContext) {
  target.on("response", (response) => {
    const type = response.headers()["content-type"] ?? "";
    if (!/text\/html|text\/x-component|application\/json/.test(type)) return;
    if (!response.url().startsWith(PORTAL_URL)) return;
    reading.push(
      response
        .text()
        .then((body) => void bodies.push({ url: response.url(), body }))
        .catch(() => undefined), // redirects and aborted requests have no body
    );
  });
}

/** Apicbase's login belongs to the browser: forgetting it lets the next approval be given by someone else. */
const forgetApicbaseLogin = (target: BrowserContext) => target.clearCookies({ domain: "127.0.0.1" });

const facts = () => page.getByRole("region", { name: "Connection", exact: true });
const fact = (label: string): Locator =>
  facts()
    .locator("div")
    .filter({ has: page.getByRole("term").filter({ hasText: label }) })
    .getByRole("definition");
const actionResult = () => page.getByRole("status", { name: "Result of the last action" });
const heading = () => page.getByRole("heading", { level: 1 });
const badge = () => page.locator("main h1 + [data-status]");
const expiry = () => fact("Access token expires").locator("time");
const history = () => page.getByRole("region", { name: "History", exact: true });
/** The history's rows without their (relative, so ever-changing) times. */
const historyEvents = () =>
  history()
    .getByRole("row")
    .evaluateAll((rows) =>
      rows.map((row) =>
        [...(row as HTMLTableRowElement).cells]
          .slice(1)
          .map((cell) => cell.textContent)
          .join(" | "),
      ),
    );

async function refreshGrants() {
  return (await emulator.stats()).token_grants.refresh_token;
}

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext();
  capture(context);
  page = await context.newPage();
});

test.afterAll(async () => {
  // Leave the shared emulator as the journeys found it.
  await emulator.setActiveLibrary("nora@sandbox.test", 101).catch(() => undefined);
  await context?.close();
});

test("a partner connects two libraries, approved at Apicbase by two different users", async () => {
  await signIn(page, "partner");
  await expect(page).toHaveURL(`${PORTAL_URL}/connections`);
  organizationId = await page
    .locator("form:has(button:text-is('Connect a library')) input[name=organizationId]")
    .inputValue();

  // The partner is logged in at Apicbase as themself; the library's user must log in instead.
  await forgetApicbaseLogin(context);
  await page.getByRole("button", { name: "Connect a library" }).click();
  await logInAtApicbase(page, "nora");
  await answerConsent(page);
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?notice=connected$/);
  noraConnection = new URL(page.url()).pathname.split("/").pop()!;
  await expect(page.getByRole("status").filter({ hasText: '"Bistro Nord" is connected.' })).toBeVisible();
  await expect(heading()).toHaveText("Bistro Nord");
  await expect(badge()).toHaveText("Active");
  await expect(fact("Approved by")).toHaveText("Nora Nord · nora@sandbox.test");
  await expect(fact("Scopes").getByRole("listitem")).toHaveText(["accounts", "library"]);
  await expect(history().getByRole("row").nth(1)).toContainText("Connected");
  await screenshot(page, "connection-connected");

  await forgetApicbaseLogin(context);
  await page.goto("/connections");
  await page.getByRole("button", { name: "Connect a library" }).click();
  await logInAtApicbase(page, "otto");
  await answerConsent(page);
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?notice=connected$/);
  ottoConnection = new URL(page.url()).pathname.split("/").pop()!;
  expect(ottoConnection).not.toBe(noraConnection);
  await expect(heading()).toHaveText("Brasserie Oost");
  await expect(fact("Approved by")).toHaveText("Otto Oost · otto@sandbox.test");
});

test("the dashboard shows both connections with their scopes and a live countdown; search and filter live in the URL", async () => {
  await page.getByRole("link", { name: /Connections of Sandbox partner/ }).click();
  await expect(page).toHaveURL(`${PORTAL_URL}/connections?organization=${organizationId}`);
  await expect(page.getByRole("status").filter({ hasText: /^Showing/ })).toHaveText("Showing 1–2 of 2 connections.");

  for (const [library, id, approver] of [
    ["Bistro Nord", 101, "Nora Nord"],
    ["Brasserie Oost", 103, "Otto Oost"],
  ] as const) {
    const row = page.getByRole("row", { name: new RegExp(library) });
    await expect(row.getByRole("link", { name: library })).toBeVisible();
    await expect(row).toContainText(`Library ${id}`);
    await expect(row).toContainText(approver);
    await expect(row).toContainText("via Partner app (sandbox)");
    await expect(row.locator("[data-status]")).toHaveText("Active");
    await expect(row.getByRole("list", { name: `Scopes of ${library}` }).getByRole("listitem")).toHaveText([
      "accounts",
      "library",
    ]);
    const countdown = row.getByRole("timer");
    await expect(countdown).toHaveText(/^6d 23h \d\dm \d\ds left$/);
    // It ticks.
    const shown = await countdown.textContent();
    await expect(countdown).not.toHaveText(shown!);
    await expect(row.locator("time").first()).toHaveAttribute("datetime", /^\d{4}-\d\d-\d\dT/);
    await expect(row).toContainText(/in [67] days/);
  }
  await screenshot(page, "connections-dashboard");

  // Search by name, from the keyboard.
  const search = page.getByRole("searchbox", { name: "Search by library name or id" });
  await search.fill("oost");
  await search.press("Enter");
  await expect(page).toHaveURL(/[?&]q=oost(&|$)/);
  await expect(page.getByRole("row", { name: /Brasserie Oost/ })).toBeVisible();
  await expect(page.getByRole("row", { name: /Bistro Nord/ })).toHaveCount(0);

  // By library id, reloaded from the URL.
  await page.goto(`/connections?organization=${organizationId}&q=101`);
  await expect(page.getByRole("row", { name: /Bistro Nord/ })).toBeVisible();
  await expect(page.getByRole("row", { name: /Brasserie Oost/ })).toHaveCount(0);
  await expect(search).toHaveValue("101");

  await search.fill("");
  await page.getByLabel("Status").selectOption({ label: "Needs re-authorization" });
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/status=needs_reauthorization/);
  await expect(page.getByRole("heading", { name: "No connections match this search" })).toBeVisible();
  await expect(page.getByRole("main")).toContainText(
    "None of the 2 connections has the status “Needs re-authorization”.",
  );
  await screenshot(page, "connections-no-results");
  await page.getByRole("link", { name: "Show all", exact: true }).click();
  await expect(page.getByRole("row", { name: /Bistro Nord|Brasserie Oost/ })).toHaveCount(2);
  await expect(page.getByLabel("Status")).toHaveValue("");
});

test("Refresh stores a new pair with a later expiry, and the rotated-away tokens are dead at Apicbase", async () => {
  await page.getByRole("link", { name: "Bistro Nord" }).click();
  await expect(heading()).toHaveText("Bistro Nord");
  await expect(fact("Last refresh")).toContainText("Never refreshed");
  const before = Date.parse((await expiry().getAttribute("datetime"))!);
  const grants = await refreshGrants();

  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(actionResult()).toContainText("Refreshed: a new token pair is stored, valid until");
  await expect.poll(async () => Date.parse((await expiry().getAttribute("datetime"))!)).toBeGreaterThan(before);
  await expect(fact("Last refresh")).toContainText("just now");
  expect(await refreshGrants()).toEqual({ ok: grants.ok + 1, error: grants.error });
  await screenshot(page, "connection-refreshed");

  // A second click moments later does not rotate again: the pair is brand new.
  const afterFirst = await expiry().getAttribute("datetime");
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(actionResult()).toContainText(
    "Not refreshed again: this connection got a new token pair less than a minute ago",
  );
  await expect(expiry()).toHaveAttribute("datetime", afterFirst!);
  expect(await refreshGrants()).toEqual({ ok: grants.ok + 1, error: grants.error });
  await expect(history().getByRole("row").filter({ hasText: "Refreshed" })).toHaveCount(1);

  await page.getByRole("button", { name: "Verify" }).click();
  await expect(actionResult()).toContainText("Apicbase confirms the access token is active.");
  const comparison = actionResult().getByRole("table");
  await expect(comparison.getByRole("row", { name: /^Active/ })).toContainText("Yes");
  await expect(
    comparison
      .getByRole("row", { name: /^Scopes/ })
      .getByRole("list", { name: "Scopes at Apicbase" })
      .getByRole("listitem"),
  ).toHaveText(["accounts", "library"]);
  await expect(comparison.getByRole("row", { name: /^Access token expires/ })).toContainText(
    /\d{4}, \d\d:\d\d UTC.*\d{4}, \d\d:\d\d UTC/,
  );
  await expect(comparison.getByRole("row", { name: /^Library reached/ })).toContainText("Bistro Nord (101)");
  await expect(fact("Last verification")).toContainText("active · just now");
  await screenshot(page, "connection-verified");

  // Of the pairs Apicbase issued for nora's approval (the approval's, the refresh's) only the one the portal holds
  // now is alive: the rotated-away access and refresh tokens are dead.
  const revoked = await emulator.revokeGrant({ email: "nora@sandbox.test", client_id: SANDBOX_PARTNER_APP.clientId });
  expect(revoked.revoked).toEqual({ access_tokens: 1, refresh_tokens: 1, codes: 0 });
});

test("Verify after the grant was revoked at Apicbase shows that the connection needs re-authorization", async () => {
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(actionResult()).toContainText(
    "Apicbase no longer accepts this connection's access token: it was revoked. Re-authorize the connection.",
  );
  await expect(badge()).toHaveText("Needs re-authorization");
  await expect(page.getByRole("main")).toContainText("Re-authorize it: the library's user approves again");
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(actionResult()).toContainText("This connection needs re-authorization before it can be refreshed.");
  await screenshot(page, "connection-needs-reauthorization");

  await page.goto(`/connections?organization=${organizationId}&status=needs_reauthorization`);
  await expect(page.getByRole("row", { name: /Bistro Nord/ }).locator("[data-status]")).toHaveText(
    "Needs re-authorization",
  );
  await expect(page.getByRole("row", { name: /Brasserie Oost/ })).toHaveCount(0);
});

test("Re-authorize restores the connection under the same id, with its history", async () => {
  await page.goto(`/connections/${noraConnection}`);
  await forgetApicbaseLogin(context);
  await page.getByRole("button", { name: "Re-authorize" }).click();
  await logInAtApicbase(page, "nora");
  await answerConsent(page);
  await expect(page).toHaveURL(`${PORTAL_URL}/connections/${noraConnection}?notice=reauthorized`);
  await expect(
    page
      .getByRole("status")
      .filter({ hasText: '"Bistro Nord" is re-authorized: the connection keeps its id and history, with new tokens.' }),
  ).toBeVisible();
  await expect(badge()).toHaveText("Active");
  const events = history().getByRole("row");
  await expect(events.nth(1)).toContainText("Re-authorized");
  await expect(events.filter({ hasText: "Connected" })).toHaveCount(1);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(actionResult()).toContainText("Apicbase confirms the access token is active.");
  await screenshot(page, "connection-reauthorized");
});

test("library drift: after the user switches library in Apicbase, Verify warns and Re-authorize is refused", async () => {
  await emulator.setActiveLibrary("nora@sandbox.test", 102);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(actionResult()).toContainText(
    'its user\'s active library is now "Café Zuid" (102), not "Bistro Nord" (101)',
  );
  await expect(page.getByRole("note")).toContainText("Library drift: now reaches Café Zuid (102)");

  await page.goto(`/connections?organization=${organizationId}`);
  await expect(page.getByRole("row", { name: /Bistro Nord/ }).getByRole("note")).toHaveText(
    /Library drift: now reaches Café Zuid \(102\)/,
  );
  await expect(page.getByRole("row", { name: /Brasserie Oost/ }).getByRole("note")).toHaveCount(0);
  await screenshot(page, "connections-drift");

  await page.getByRole("link", { name: "Bistro Nord" }).click();
  const before = await expiry().getAttribute("datetime");
  // nora is still logged in at Apicbase: straight to the consent page.
  await page.getByRole("button", { name: "Re-authorize" }).click();
  await answerConsent(page);
  await expect(page).toHaveURL(`${PORTAL_URL}/connections/${noraConnection}?connect_error=library_mismatch`);
  // The banner names who approved and which library they had active (the facts the refusal was audited with).
  await expect(
    page.getByRole("alert").filter({
      hasText:
        'nora@sandbox.test approved at Apicbase with "Café Zuid" (102) as active library, but this connection is for "Bistro Nord" (101).',
    }),
  ).toBeVisible();
  await expect(expiry()).toHaveAttribute("datetime", before!);
  await expect(history().getByRole("row").nth(1)).toContainText("Re-authorization refused");
  await screenshot(page, "connection-reauthorize-refused");

  await emulator.setActiveLibrary("nora@sandbox.test", 101);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(actionResult()).toContainText("Apicbase confirms the access token is active.");
  await expect(page.getByRole("note")).toHaveCount(0);
});

test("cancelling the approval at Apicbase says so and connects nothing", async () => {
  await page.goto(`/connections?organization=${organizationId}`);
  await page.getByRole("button", { name: "Connect a library" }).click();
  await answerConsent(page, "Cancel");
  await expect(page).toHaveURL(`${PORTAL_URL}/connections?organization=${organizationId}&connect_error=access_denied`);
  await expect(
    page.getByRole("alert").filter({ hasText: "The approval was cancelled at Apicbase. Nothing was connected." }),
  ).toBeVisible();
  await expect(page.getByRole("row", { name: /Bistro Nord|Brasserie Oost/ })).toHaveCount(2);
  await screenshot(page, "connect-cancelled");
  await page.getByRole("link", { name: "Dismiss" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "cancelled" })).toHaveCount(0);
  await expect(page).toHaveURL(`${PORTAL_URL}/connections?organization=${organizationId}`);
});

test("connecting the same library again updates the existing connection and says so", async () => {
  await page.getByRole("button", { name: "Connect a library" }).click();
  await answerConsent(page);
  await expect(page).toHaveURL(`${PORTAL_URL}/connections/${noraConnection}?notice=updated`);
  await expect(
    page.getByRole("status").filter({
      hasText:
        '"Bistro Nord" is connected again under its existing connection of this organization (same id and history): the new approval replaced its tokens instead of adding a second connection.',
    }),
  ).toBeVisible();
  await expect(history().getByRole("row").nth(1)).toContainText("Updated by a new approval");
  await screenshot(page, "connection-updated");
  await page.goto(`/connections?organization=${organizationId}`);
  await expect(page.getByText("Showing 1–2 of 2 connections.")).toBeVisible();
});

test("a partner of another organization can neither see, refresh, verify nor disconnect this organization's connection", async ({
  browser,
}) => {
  // Real submissions of the three actions, captured from the partner's page.
  await page.goto(`/connections/${noraConnection}`);
  const captured = new Map<string, Request>();
  await page.route(`**/connections/${noraConnection}`, async (route) => {
    const request = route.request();
    if (request.method() !== "POST") return route.continue();
    const intent = /name="(?:_?\d+_)?intent"\r\n\r\n(\w+)/.exec(request.postData() ?? "")?.[1] ?? "unknown";
    captured.set(intent, request);
    // Refresh and Verify go through for the partner; the disconnect is held back.
    return intent === "disconnect" ? route.abort() : route.continue();
  });
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(actionResult()).toContainText(/Refreshed|Not refreshed again/);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(actionResult()).toContainText("Apicbase confirms");
  await page.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("dialog").getByLabel("Reason").fill("trying someone else's connection");
  await page.getByRole("dialog").getByRole("button", { name: "Yes, revoke" }).click();
  await expect.poll(() => captured.has("disconnect")).toBe(true);
  await page.unroute(`**/connections/${noraConnection}`);
  await page.reload();
  await expect(badge()).toHaveText("Active");
  const expiresBefore = await expiry().getAttribute("datetime");
  const eventsBefore = await historyEvents();
  const grants = await refreshGrants();

  // An admin puts otto in an organization of his own.
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, "admin");
  const elsewhere = `Elsewhere ${Date.now().toString(36)}`;
  await createOrganization(admin, elsewhere);
  await expect(await addMember(admin, elsewhere, "otto@sandbox.test")).toContainText("otto@sandbox.test");
  await admin.context().close();

  const ottoContext = await browser.newContext();
  capture(ottoContext);
  const otto = await ottoContext.newPage();
  await signIn(otto, "otto");
  await expect(otto.getByRole("main")).toContainText(elsewhere);
  await expect(otto.getByRole("heading", { name: "No library is connected yet" })).toBeVisible();

  // Not visible: the page, the JSON routes.
  const opened = await otto.goto(`/connections/${noraConnection}`);
  expect(opened?.status()).toBe(404);
  await expect(otto.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await expect(otto.locator("body")).not.toContainText("Bistro Nord");
  await screenshot(otto, "connection-other-organization");
  const detailJson = await otto.request.get(`/api/portal/connections/${noraConnection}`);
  expect(detailJson.status()).toBe(404);
  expect(await detailJson.json()).toEqual({ error: NOT_YOURS });
  const listJson = await otto.request.get(`/api/portal/connections?organization=${organizationId}`);
  expect(listJson.status()).toBe(404);
  expect(await listJson.text()).not.toContain("Bistro Nord");

  // Not actionable: the partner's own action requests, replayed with otto's session.
  const replay = (request: Request) => replayServerAction(otto.request, request);
  for (const intent of ["refresh", "verify", "disconnect"]) {
    const request = captured.get(intent);
    expect(request, `a captured ${intent} request`).toBeDefined();
    const answer = await (await replay(request!)).text();
    expect(answer, intent).toContain(NOT_YOURS);
    expect(answer, intent).not.toContain("Bistro Nord");
  }

  // Nothing changed for the partner: same tokens, same state, same history, no refresh at Apicbase.
  await page.reload();
  await expect(badge()).toHaveText("Active");
  await expect(expiry()).toHaveAttribute("datetime", expiresBefore!);
  expect(await historyEvents()).toEqual(eventsBefore);
  expect(await refreshGrants()).toEqual(grants);
  await ottoContext.close();
});

test("Revoke asks first, then revokes the grant at Apicbase and keeps the connection as revoked", async () => {
  await page.goto(`/connections/${noraConnection}`);
  await page.getByRole("button", { name: "Revoke" }).click();
  const dialog = page.getByRole("dialog", { name: "Revoke Bistro Nord?" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("deletes its tokens");
  await screenshot(page, "connection-disconnect-confirm");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(badge()).toHaveText("Active");

  await page.getByRole("button", { name: "Revoke" }).click();
  // The reason is required: the server refuses a blank one (the browser would too) and the dialog says so.
  await dialog.getByLabel("Reason").fill("   ");
  await dialog.getByRole("button", { name: "Yes, revoke" }).click();
  await expect(dialog.getByLabel("Reason")).toHaveAccessibleDescription(/Say why this connection is revoked/);
  await expect(badge()).toHaveText("Active");
  await dialog.getByLabel("Reason").fill("Customer moved to another POS");
  await dialog.getByRole("button", { name: "Yes, revoke" }).click();
  await expect(dialog).toBeHidden();
  await expect(actionResult()).toContainText(
    '"Bistro Nord" is revoked: Apicbase revoked the grant and the portal deleted its tokens.',
  );
  await expect(badge()).toHaveText("Revoked");
  await expect(fact("Revoked")).toContainText("By partner@sandbox.test");
  await expect(fact("Revoked")).toContainText("Why: Customer moved to another POS");
  await expect(fact("Access token expires")).toHaveText("Tokens deleted");
  for (const name of ["Refresh", "Verify", "Revoke"])
    await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Re-authorize" })).toBeVisible();
  await expect(history().getByRole("row").nth(1)).toContainText("Revoked");
  await screenshot(page, "connection-disconnected");

  // Every pair Apicbase ever issued for nora is dead: the current one revoked now, the replaced and the stray ones
  // handed back when they were replaced or refused.
  const revoked = await emulator.revokeGrant({ email: "nora@sandbox.test", client_id: SANDBOX_PARTNER_APP.clientId });
  expect(revoked.revoked).toEqual({ access_tokens: 0, refresh_tokens: 0, codes: 0 });

  await page.goto(`/connections?organization=${organizationId}`);
  await expect(page.getByRole("row", { name: /Bistro Nord/ }).locator("[data-status]")).toHaveText("Revoked");
  await expect(page.getByRole("row", { name: /Brasserie Oost/ }).locator("[data-status]")).toHaveText("Active");
  await screenshot(page, "connections-after-disconnect");
});

test("no token value reaches the browser: not in any HTML, RSC payload or JSON it received", async () => {
  await Promise.all(reading);
  // The pages kept their data fresh through the JSON routes (React Query, after each action).
  expect(bodies.some((entry) => entry.url.includes("/api/portal/connections/"))).toBe(true);
  // The JSON routes React Query polls, once more for certain.
  for (const url of [
    `/api/portal/connections?organization=${organizationId}`,
    `/api/portal/connections/${noraConnection}`,
    `/api/portal/connections/${ottoConnection}`,
  ]) {
    const response = await page.request.get(url);
    expect(response.status()).toBe(200);
    bodies.push({ url, body: await response.text() });
  }
  await Promise.all(reading);
  expect(bodies.length).toBeGreaterThan(30);
  expect(bodies.some((entry) => entry.body.includes("Brasserie Oost"))).toBe(true);

  const candidates = [...new Set(bodies.flatMap((entry) => entry.body.match(TOKEN_SHAPED) ?? []))];
  // Anything token-shaped is a leak if Apicbase still accepts it; otto's connection holds a live pair right now.
  const live: string[] = [];
  for (const candidate of candidates) {
    const response = await fetch(`${EMULATOR_URL}/oauth/introspect/`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        token: candidate,
        client_id: SANDBOX_PARTNER_APP.clientId,
        client_secret: SANDBOX_PARTNER_APP.clientSecret,
      }),
    });
    if (((await response.json()) as { active: boolean }).active) live.push(candidate);
  }
  expect(live, "live Apicbase tokens in responses").toEqual([]);
  // Stricter: nothing even shaped like one (a rotated-away token would no longer introspect as active).
  expect(candidates, "token-shaped strings in responses").toEqual([]);
  for (const { url, body } of bodies) {
    expect(body, url).not.toMatch(/access_token|refresh_token|ciphertext|client_secret/i);
    expect(body, url).not.toContain(SANDBOX_PARTNER_APP.clientSecret);
  }
});
