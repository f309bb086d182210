import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect, test, type Browser, type BrowserContext, type Page, type Request } from "@playwright/test";
import { EmulatorControl } from "../emulator/testing";
import { SANDBOX_DESK_APP, SANDBOX_PARTNER_APP } from "../lib/sandbox";
import {
  addMember,
  answerConsent,
  approveLinkElsewhere,
  captureServerAction,
  createOrganization,
  logInAtApicbase,
  replayServerAction,
  screenshot,
} from "./journey";
import { EMULATOR_URL, PORTAL_URL, SCREENSHOTS_DIR } from "./urls";

/**
 * The admin area: applications (register, test credentials, replace the secret), members (removal ends sessions),
 * sessions (end one, end all), the audit log and its CSV export, and what happens to anyone else who calls the
 * admin actions and routes directly. One journey, in order: each step builds on the one before.
 */
test.describe.configure({ mode: "serial" });

type SandboxLogin = "admin" | "partner" | "sam";

const APPLICATION = "Desk app (e2e)";
const WRONG_SECRET = "definitely-not-the-desk-secret";
const ORGANIZATION = `Session Kitchen ${Date.now().toString(36)}`;
/** The admin's own organization for the revoke journeys: the sandbox organization stays empty for later specs. */
const REVOKE_ORGANIZATION = `Revoke Kitchen ${Date.now().toString(36)}`;
const REVOKE_REASON = "Contract ended (e2e)";
const UNSUPPORTED_REASON = "Owner asked, no revocation endpoint (e2e)";
const emulator = new EmulatorControl(EMULATOR_URL);

async function signIn(page: Page, name: SandboxLogin) {
  await page.goto("/signin");
  await page.getByRole("button", { name: "Sign in with Apicbase" }).click();
  await logInAtApicbase(page, name);
  await page.getByRole("button", { name: "Authorize" }).click();
  await expect(page).not.toHaveURL(/\/signin|accounts\/login|oauth\/authorize/);
}

async function signedIn(browser: Browser, name: SandboxLogin): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, name);
  return page;
}

/** What /admin/sessions shows of a browser's session: the first 8 hex characters of its token's SHA-256. */
async function sessionFingerprint(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((c) => c.name.endsWith("authjs.session-token"));
  if (!cookie) throw new Error("no session cookie");
  return createHash("sha256").update(cookie.value).digest("hex").slice(0, 8);
}

let admin: Page;

/** Opens an admin page; the admin navigation marks `current` as the page the admin is on. */
async function openAdminPage(path: string, current: string) {
  await admin.goto(path);
  await expect(admin.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: current })).toHaveAttribute(
    "aria-current",
    "page",
  );
}

test.beforeAll(async ({ browser }) => {
  admin = await signedIn(browser, "admin");
});

test("an admin registers an application with a wrong secret; Test credentials says so, and says fine after Replace secret", async () => {
  await openAdminPage("/admin/applications", "Applications");
  await expect(admin.getByRole("heading", { level: 1, name: "Applications" })).toBeVisible();
  const environment = admin.getByRole("region", { name: "Partner app (sandbox)" });
  await expect(environment).toContainText("Set in the environment (AUTH_APICBASE_SECRET)");
  await expect(environment.getByRole("button", { name: /Replace secret|Disable|Delete/ })).toHaveCount(0);

  // A leftover from an earlier attempt of this journey would hold the client id.
  const leftover = admin.getByRole("button", { name: `Delete ${APPLICATION}` });
  if (await leftover.count()) {
    await leftover.click();
    await admin
      .getByRole("dialog", { name: `Delete “${APPLICATION}”?` })
      .getByRole("button", { name: "Yes, delete" })
      .click();
    await expect(admin.getByRole("region", { name: APPLICATION })).toHaveCount(0);
  }

  const form = admin.getByRole("region", { name: "Register an application" });
  const name = form.getByLabel("Name", { exact: true });
  const clientId = form.getByLabel("Client id", { exact: true });
  const secret = form.getByLabel("Client secret", { exact: true });
  const register = form.getByRole("button", { name: "Register application" });

  await register.click();
  await expect(name).toHaveAccessibleDescription(/Enter a name for the application\./);
  await expect(clientId).toHaveAttribute("aria-invalid", "true");
  await expect(secret).toHaveAccessibleDescription(/Enter the client secret\./);

  await name.fill(APPLICATION);
  await clientId.fill(`${SANDBOX_DESK_APP.clientId} `);
  await secret.fill("short");
  await form.getByRole("radio", { name: /No redirect URL \(manual code entry\)/ }).check();
  await form.getByRole("checkbox", { name: "accounts" }).uncheck();
  await register.click();
  await expect(clientId).toHaveAccessibleDescription(/Remove the spaces or line breaks around the client id/);
  await expect(secret).toHaveAccessibleDescription(/at least 8 characters/);
  await expect(form.getByText(/Keep “accounts”: the portal reads the approving user's active library/)).toBeVisible();
  // What was typed comes back, except the secret.
  await expect(name).toHaveValue(APPLICATION);
  await expect(secret).toHaveValue("");
  await expect(form.getByRole("radio", { name: /No redirect URL/ })).toBeChecked();

  await clientId.fill(SANDBOX_DESK_APP.clientId);
  await secret.fill(WRONG_SECRET);
  await form.getByRole("checkbox", { name: "accounts" }).check();
  await register.click();
  await expect(form.getByRole("status")).toHaveText(
    `Registered “${APPLICATION}”. Its secret is stored encrypted; test the credentials next.`,
  );
  await expect(secret).toHaveValue("");

  const card = admin.getByRole("region", { name: APPLICATION });
  await expect(card).toContainText("Stored encrypted; never shown again");
  await expect(card).toContainText("No redirect URL (manual code entry)");
  await expect(card.getByRole("list", { name: `Scopes of ${APPLICATION}` })).toHaveText(/accounts\s*library/);
  await expect(card).toContainText("Credentials not tested yet");

  await card.getByRole("button", { name: `Test credentials of ${APPLICATION}` }).click();
  await expect(card).toContainText("Wrong credentials. Apicbase answered invalid_client");
  await screenshot(admin, "admin-applications");

  await card.getByText("Replace secret").click();
  await card.getByLabel(`New client secret for ${APPLICATION}`).fill(SANDBOX_DESK_APP.clientSecret);
  await card.getByRole("button", { name: "Save new secret" }).click();
  await expect(card.getByRole("status")).toHaveText(
    "Secret replaced. Every call from now on uses it; test the credentials again.",
  );
  await expect(card).toContainText("Credentials not tested yet");
  await card.getByRole("button", { name: `Test credentials of ${APPLICATION}` }).click();
  await expect(card).toContainText("Credentials fine. Apicbase accepted the client id and secret");

  // The same client id twice is refused at its field.
  await name.fill("Desk app again");
  await clientId.fill(SANDBOX_DESK_APP.clientId);
  await secret.fill("another-secret-value");
  await register.click();
  await expect(clientId).toHaveAccessibleDescription(
    new RegExp(`This client id is already registered, as “${APPLICATION.replace(/[()]/g, "\\$&")}”\\.`),
  );
  await expect(secret).toHaveAccessibleDescription(
    /Enter the secret again: the portal never sends a secret back to the browser\./,
  );

  // No secret reaches the browser: not in the page, not in its RSC payload.
  const rsc = await (await admin.request.get("/admin/applications", { headers: { RSC: "1" } })).text();
  for (const body of [await admin.content(), rsc]) {
    expect(body).not.toContain(WRONG_SECRET);
    expect(body).not.toContain(SANDBOX_DESK_APP.clientSecret);
    expect(body).not.toContain("another-secret-value");
  }
});

test("removing a member from an organization ends their session at once", async ({ browser }) => {
  await createOrganization(admin, ORGANIZATION);
  await expect(await addMember(admin, ORGANIZATION, "sam@sandbox.test")).toHaveText(
    /^(Invited|Added) sam@sandbox\.test/,
  );

  const sam = await signedIn(browser, "sam");
  await expect(sam).toHaveURL(`${PORTAL_URL}/connections`);
  await expect(sam.getByRole("banner")).toContainText(ORGANIZATION);

  await admin.goto("/admin/members");
  const row = admin.getByRole("row", { name: /Sam Staff/ });
  await expect(row).toContainText(ORGANIZATION);
  await expect(row).toContainText("1 active session");
  await screenshot(admin, "admin-members");
  await row.getByRole("button", { name: `Remove sam@sandbox.test from ${ORGANIZATION}` }).click();
  const confirmRemoval = admin.getByRole("dialog", { name: `Remove sam@sandbox.test from ${ORGANIZATION}?` });
  await expect(confirmRemoval).toContainText("signed out of the portal everywhere at once");
  await expect(confirmRemoval.getByRole("button", { name: "Cancel" })).toBeFocused();
  await screenshot(admin, "admin-remove-member-confirm");
  await admin.keyboard.press("Escape");
  await expect(confirmRemoval).toBeHidden();
  await expect(row).toContainText(ORGANIZATION);
  await row.getByRole("button", { name: `Remove sam@sandbox.test from ${ORGANIZATION}` }).click();
  await confirmRemoval.getByRole("button", { name: "Yes, remove" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Removed" })).toHaveText(
    /Removed, and signed out of the portal everywhere\./,
  );
  await expect(row).not.toContainText(ORGANIZATION);
  await expect(row).toContainText("Not signed in");

  // Sam's browser still holds its cookie; the next navigation finds no session.
  await sam.goto("/connections");
  await expect(sam).toHaveURL(/\/signin(\?|$)/);
  await expect(sam.getByRole("button", { name: "Sign in with Apicbase" })).toBeVisible();
  await sam.context().close();
});

test("an admin ends one session, then all sessions of a user, from /admin/sessions", async ({ browser }) => {
  const laptop = await signedIn(browser, "sam");
  const phone = await signedIn(browser, "sam");
  await expect(laptop).toHaveURL(`${PORTAL_URL}/no-organization`);
  const laptopPrint = await sessionFingerprint(laptop.context());
  const phonePrint = await sessionFingerprint(phone.context());

  await admin.goto("/admin/sessions");
  await expect(admin.getByRole("heading", { level: 1, name: "Sessions" })).toBeVisible();
  const mine = admin.getByRole("region", { name: "Ada Admin" });
  await expect(
    mine.getByRole("row", { name: new RegExp(`${await sessionFingerprint(admin.context())}\\s*This browser`) }),
  ).toBeVisible();
  const sams = admin.getByRole("region", { name: "Sam Staff" });
  await expect(sams).toContainText("2 active sessions");
  await expect(sams.getByRole("row", { name: new RegExp(laptopPrint) })).toContainText(/just now|minute/);
  await expect(sams.getByRole("row", { name: new RegExp(phonePrint) })).toBeVisible();
  // Never the token itself.
  const token = (await laptop.context().cookies()).find((c) => c.name.endsWith("authjs.session-token"))!.value;
  expect(await admin.content()).not.toContain(token);
  await screenshot(admin, "admin-sessions");

  await sams.getByRole("button", { name: `End session ${laptopPrint} of sam@sandbox.test` }).click();
  await admin
    .getByRole("dialog", { name: `End session ${laptopPrint} of sam@sandbox.test?` })
    .getByRole("button", { name: "Yes, end session" })
    .click();
  await expect(admin.getByRole("status").filter({ hasText: laptopPrint })).toHaveText(
    `Ended session ${laptopPrint} of sam@sandbox.test: their next click lands on the sign-in page.`,
  );
  await laptop.goto("/no-organization");
  await expect(laptop).toHaveURL(/\/signin(\?|$)/);
  await phone.goto("/no-organization");
  await expect(phone.getByRole("heading", { level: 1, name: "You're not in an organization yet" })).toBeVisible();

  await sams.getByRole("button", { name: "End all sessions of sam@sandbox.test" }).click();
  await admin
    .getByRole("dialog", { name: "End all sessions of sam@sandbox.test?" })
    .getByRole("button", { name: "Yes, end all sessions" })
    .click();
  await expect(admin.getByRole("status").filter({ hasText: "Ended 1 session" })).toHaveText(
    "Ended 1 session of sam@sandbox.test.",
  );
  await expect(sams).toHaveCount(0);
  await phone.goto("/no-organization");
  await expect(phone).toHaveURL(/\/signin(\?|$)/);
  await laptop.context().close();
  await phone.context().close();
});

let revokeConnectionUrl: string;

const resultOf = (page: Page) => page.getByRole("status", { name: "Result of the last action" });
const factOf = (page: Page, label: string) =>
  page.locator("dt", { hasText: new RegExp(`^${label}$`) }).locator("xpath=following-sibling::dd[1]");

test("an admin sees every organization's connections, revokes one with a reason, and its old tokens are dead at Apicbase", async () => {
  // An organization of the admin's making, connected by the admin (active library Bistro Nord) through the real flow.
  await createOrganization(admin, REVOKE_ORGANIZATION);
  const card = admin.getByRole("region", { name: REVOKE_ORGANIZATION });
  await expect(card).toContainText("No library connected yet");
  await card.getByRole("link", { name: "0 connections" }).click();
  await expect(admin).toHaveURL(/\/connections\?organization=/);
  await admin.getByRole("button", { name: "Connect a library" }).click();
  await answerConsent(admin);
  await expect(admin.getByRole("heading", { name: "Bistro Nord" })).toBeVisible();
  revokeConnectionUrl = admin.url().split("?")[0]!;

  // The admin area lists it with its organization, searchable like the partner dashboard.
  await openAdminPage("/admin/connections?q=bistro", "Connections");
  const row = admin.getByRole("row", { name: new RegExp(REVOKE_ORGANIZATION) });
  await expect(row.locator("[data-status]")).toHaveText("Active");
  await expect(admin.getByRole("columnheader", { name: "Organization" })).toBeVisible();
  await admin.setViewportSize({ width: 1280, height: 900 });
  await screenshot(admin, "admin-connections");
  await admin.goto("/admin/organizations");
  await expect(admin.getByRole("list", { name: `Connections of ${REVOKE_ORGANIZATION} by status` })).toContainText(
    "Active",
  );
  await admin.getByRole("region", { name: REVOKE_ORGANIZATION }).scrollIntoViewIfNeeded();
  await admin.screenshot({ path: path.join(SCREENSHOTS_DIR, "admin-organizations.png") });

  await admin.goto(revokeConnectionUrl);
  await admin.getByRole("button", { name: "Revoke" }).click();
  const dialog = admin.getByRole("dialog", { name: "Revoke Bistro Nord?" });
  await expect(dialog.getByLabel("Reason")).toBeFocused();
  await dialog.getByLabel("Reason").fill(REVOKE_REASON);
  await screenshot(admin, "admin-revoke-confirm");
  await dialog.getByRole("button", { name: "Yes, revoke" }).click();
  await expect(resultOf(admin)).toContainText(
    '"Bistro Nord" is revoked: Apicbase revoked the grant and the portal deleted its tokens.',
  );
  await expect(factOf(admin, "Revoked")).toContainText("By admin@sandbox.test");
  await expect(factOf(admin, "Revoked")).toContainText(`Why: ${REVOKE_REASON}`);

  // Nothing the portal held for that grant is alive at Apicbase any more (the sign-in grants were handed back too).
  const leftover = await emulator.revokeGrant({ email: "admin@sandbox.test", client_id: SANDBOX_PARTNER_APP.clientId });
  expect(leftover.revoked).toMatchObject({ access_tokens: 0, refresh_tokens: 0 });

  await openAdminPage("/admin", "Overview");
  await expect(admin.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  const revoked = admin.getByRole("region", { name: "Recently revoked connections" });
  await expect(revoked.getByRole("row", { name: new RegExp(REVOKE_ORGANIZATION) })).toContainText(REVOKE_REASON);
  await screenshot(admin, "admin-overview");
});

test("an admin re-authorizes the revoked connection through a link the library owner opens", async ({ browser }) => {
  await admin.goto(revokeConnectionUrl);
  await admin.getByRole("button", { name: "Create re-authorization link" }).click();
  const link = await admin.getByLabel("Authorization link", { exact: true }).inputValue();

  const owner = await approveLinkElsewhere(browser, link, "admin");
  await expect(owner.page.getByRole("heading", { name: "Re-authorized" })).toBeVisible();
  await owner.close();

  await admin.goto(revokeConnectionUrl);
  await expect(admin.locator("main h1 + [data-status]")).toHaveText("Active");
  await expect(admin.getByRole("button", { name: "Revoke" })).toBeVisible();
});

test("revoking where Apicbase has no revocation endpoint says so and tells how the owner removes the app", async ({
  browser,
}) => {
  // A partner replaying the admin's revoke of another organization's connection is refused, and nothing changes.
  await admin.goto(revokeConnectionUrl);
  await admin.getByRole("button", { name: "Revoke" }).click();
  const dialog = admin.getByRole("dialog", { name: "Revoke Bistro Nord?" });
  await dialog.getByLabel("Reason").fill("forged by a partner");
  const forged = await captureServerAction(admin, () => dialog.getByRole("button", { name: "Yes, revoke" }).click());
  const partner = await signedIn(browser, "partner");
  const refused = await (await replayServerAction(partner.request, forged)).text();
  expect(refused).toContain("This connection does not exist or belongs to another organization.");
  expect(refused).not.toContain("Bistro Nord");
  const list = await partner.request.get("/api/portal/connections?scope=all");
  expect(list.status()).toBe(404);
  await partner.context().close();
  await admin.goto(revokeConnectionUrl);
  await expect(admin.locator("main h1 + [data-status]")).toHaveText("Active");

  await emulator.settings({ revocation_endpoint: false });
  try {
    await admin.getByRole("button", { name: "Revoke" }).click();
    await dialog.getByLabel("Reason").fill(UNSUPPORTED_REASON);
    await dialog.getByRole("button", { name: "Yes, revoke" }).click();
    await expect(resultOf(admin)).toContainText("This Apicbase offers no revocation endpoint (it answered 404 or 405)");
    await expect(resultOf(admin)).toContainText("The library owner can remove the application in Apicbase");
    await expect(admin.locator("main h1 + [data-status]")).toHaveText("Revoked");
    await expect(factOf(admin, "Revoked")).toContainText(`Why: ${UNSUPPORTED_REASON}`);
    await screenshot(admin, "admin-revoke-unsupported");
  } finally {
    await emulator.settings({ revocation_endpoint: true });
  }
  // The grant is indeed still live at Apicbase: what the owner removing the app would end.
  const live = await emulator.revokeGrant({ email: "admin@sandbox.test", client_id: SANDBOX_PARTNER_APP.clientId });
  expect(live.revoked.refresh_tokens).toBe(1);
});

test("a partner calling the admin actions and routes directly is refused, and nothing changes", async ({ browser }) => {
  const forged: { what: string; request: Request }[] = [];
  await admin.goto("/admin/applications");
  forged.push({
    what: "disable an application",
    request: await captureServerAction(admin, () =>
      admin.getByRole("button", { name: `Disable ${APPLICATION}` }).click(),
    ),
  });
  await admin.goto("/admin/sessions");
  forged.push({
    what: "end the admin's sessions",
    request: await captureServerAction(admin, async () => {
      await admin.getByRole("button", { name: "End all sessions of admin@sandbox.test" }).click();
      await admin
        .getByRole("dialog", { name: "End all sessions of admin@sandbox.test?" })
        .getByRole("button", { name: "Yes, end all sessions" })
        .click();
    }),
  });
  await admin.goto("/admin/members");
  forged.push({
    what: "make Sam an admin",
    request: await captureServerAction(admin, () =>
      admin.getByRole("button", { name: "Make admin: sam@sandbox.test" }).click(),
    ),
  });

  const partner = await signedIn(browser, "partner");
  for (const { what, request } of forged) {
    const response = await replayServerAction(partner.request, request);
    expect(await response.text(), what).toContain("Only portal admins can do this.");
  }

  for (const page of [
    "/admin",
    "/admin/connections",
    "/admin/organizations",
    "/admin/applications",
    "/admin/members",
    "/admin/sessions",
    "/admin/audit",
  ]) {
    const response = await partner.goto(page);
    expect(response?.status(), page).toBe(404);
    await expect(partner.getByRole("heading", { level: 1, name: "Admins only" })).toBeVisible();
    await expect(partner.getByRole("navigation", { name: "Admin" })).toHaveCount(0);
    await expect(partner.locator("body")).not.toContainText(APPLICATION);
  }
  await partner.goto("/admin/applications");
  await screenshot(partner, "admin-partner-refused");
  const exported = await partner.request.get("/admin/audit/export");
  expect(exported.status()).toBe(404);
  expect(exported.headers()["content-disposition"]).toBeUndefined();
  expect(await exported.text()).not.toContain("time_utc");

  // Without a real session: a made-up cookie gets past the proxy's cheap check, not past the route.
  const stranger = await browser.newContext();
  await stranger.addCookies([{ name: "authjs.session-token", value: "made-up", url: PORTAL_URL }]);
  const anonymous = await stranger.request.get(`${PORTAL_URL}/admin/audit/export`);
  expect(anonymous.status()).toBe(401);
  await stranger.close();

  // Nothing changed: the application is enabled, the admin still signed in, Sam no admin.
  await admin.goto("/admin/applications");
  await expect(admin.getByRole("region", { name: APPLICATION })).toContainText("Enabled");
  await admin.goto("/admin/members");
  await expect(admin.getByRole("button", { name: "Make admin: sam@sandbox.test" })).toBeVisible();
  await partner.context().close();
});

test("a forged server-action request with a foreign Origin changes nothing", async () => {
  await admin.goto("/admin/applications");
  const card = admin.getByRole("region", { name: APPLICATION });
  const disable = await captureServerAction(admin, () =>
    card.getByRole("button", { name: `Disable ${APPLICATION}` }).click(),
  );

  for (const origin of ["https://evil.example", "null"]) {
    const response = await replayServerAction(admin.request, disable, { headers: { origin } });
    expect(response.ok(), `Origin: ${origin}`).toBe(false);
    await admin.goto("/admin/applications");
    await expect(card, `Origin: ${origin}`).toContainText("Enabled");
  }

  // The very same request from the portal's own origin goes through: the refusals above were about the Origin.
  const genuine = await replayServerAction(admin.request, disable);
  expect(genuine.ok()).toBe(true);
  await admin.goto("/admin/applications");
  await expect(card).toContainText("Disabled");
  await expect(card).toContainText("not offered for new connections; its connections keep refreshing");

  await card.getByRole("button", { name: `Enable ${APPLICATION}` }).click();
  await expect(admin.getByRole("status").filter({ hasText: "enabled again" })).toHaveText(
    `“${APPLICATION}” is enabled again.`,
  );
  await card.getByRole("button", { name: `Delete ${APPLICATION}` }).click();
  await admin
    .getByRole("dialog", { name: `Delete “${APPLICATION}”?` })
    .getByRole("button", { name: "Yes, delete" })
    .click();
  await expect(admin.getByRole("status").filter({ hasText: "Deleted" })).toHaveText(`Deleted “${APPLICATION}”.`);
  await expect(card).toHaveCount(0);
});

test("the audit log lists each of these events, filters them in the URL, and exports them as CSV", async () => {
  await admin.goto("/admin/audit");
  await expect(admin.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  const filters = admin.getByRole("search", { name: "Filter the audit log" });
  const table = admin.getByRole("region", { name: "Audit entries" });

  await filters.getByLabel("Actor").fill("admin@sandbox.test");
  await filters.getByLabel("Event").selectOption({ label: "Member removed" });
  await filters.getByRole("button", { name: "Filter" }).click();
  // The filters are in the URL, so the view can be shared and reloaded.
  await expect(admin).toHaveURL(/[?&]actor=admin%40sandbox\.test(&|$)/);
  await expect(admin).toHaveURL(/[?&]event=member_removed(&|$)/);
  await expect(
    table
      .getByRole("row", { name: /Member removed/ })
      .filter({ hasText: "sam@sandbox.test" })
      .first(),
  ).toContainText(`sam@sandbox.test · 1 session ended`);
  await expect(table.getByRole("row").filter({ hasText: "sam@sandbox.test" }).first()).toContainText(ORGANIZATION);

  await admin.goto("/admin/audit?event=application_credentials_tested");
  await expect(table.getByRole("row", { name: /wrong credentials/ }).first()).toContainText("invalid_client");
  await expect(table.getByRole("row", { name: /wrong credentials/ }).first()).toContainText("Failure");
  await expect(table.getByRole("row", { name: /credentials fine/ }).first()).toContainText("Success");

  await admin.goto("/admin/audit?actor=admin%40sandbox.test");
  for (const event of [
    "Application registered",
    "Application secret replaced",
    "Application disabled",
    "Application enabled",
    "Application deleted",
    "Session ended",
    "All sessions of a user ended",
  ]) {
    await expect(table.getByRole("row", { name: new RegExp(event) }).first(), event).toBeVisible();
  }
  await admin.goto("/admin/audit?event=connection_disconnected");
  await expect(
    table.getByRole("row", { name: new RegExp(REVOKE_REASON.replace(/[()]/g, "\\$&")) }).first(),
  ).toContainText("grant revoked at Apicbase");
  await expect(table.getByRole("row", { name: /Apicbase offers no revocation/ }).first()).toContainText(
    UNSUPPORTED_REASON,
  );
  await expect(table.getByRole("row").filter({ hasText: REVOKE_REASON }).first()).toContainText(REVOKE_ORGANIZATION);
  await admin.goto("/admin/audit?event=connection_reauthorized");
  await expect(table.getByRole("row", { name: /Connection re-authorized/ }).first()).toContainText(REVOKE_ORGANIZATION);
  await admin.goto("/admin/audit?event=access_refused&actor=partner%40sandbox.test");
  await expect(table.getByRole("row", { name: /tried: disable application/ }).first()).toBeVisible();
  await expect(table.getByRole("row", { name: /tried: export audit log/ }).first()).toBeVisible();

  // A nonsense filter is reported at its field; nothing is listed.
  await admin.goto("/admin/audit?connection=nope&from=2026-02-31T10:00");
  await expect(filters.getByLabel("Connection id")).toHaveAccessibleDescription(/Enter a connection id/);
  await expect(filters.getByLabel("From (UTC)")).toHaveAttribute("aria-invalid", "true");
  await expect(admin.getByRole("main").getByRole("alert")).toHaveText(
    "Nothing is listed until the filter marked above is corrected.",
  );

  await admin.goto("/admin/audit");
  await expect(table).toBeVisible();
  await admin.setViewportSize({ width: 1280, height: 900 });
  await screenshot(admin, "admin-audit");

  const download = admin.waitForEvent("download");
  await filters.getByRole("link", { name: "Export CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^audit-log-\d{8}-\d{4}\.csv$/);
  const csv = await readFile((await file.path())!, "utf8");
  expect(csv.startsWith("\uFEFFtime_utc,actor,actor_user_id,organization,")).toBe(true);
  for (const event of [
    "application_registered",
    "application_credentials_tested",
    "application_secret_replaced",
    "member_removed",
    "session_ended",
    "user_sessions_ended",
    "access_refused",
    "connection_connected",
    "connection_disconnected",
    "connection_reauthorized",
    "authorization_link_created",
  ]) {
    expect(csv, event).toContain(`,${event},`);
  }
  expect(csv).toContain(",invalid_client,");
  expect(csv).toContain(REVOKE_REASON);
  expect(csv).toContain(UNSUPPORTED_REASON);
  for (const secret of [WRONG_SECRET, SANDBOX_DESK_APP.clientSecret, "another-secret-value"])
    expect(csv).not.toContain(secret);

  const filtered = await admin.request.get("/admin/audit/export?event=member_removed&actor=admin%40sandbox.test");
  expect(filtered.headers()["content-type"]).toBe("text/csv; charset=utf-8");
  expect(filtered.headers()["content-disposition"]).toMatch(/^attachment; filename="audit-log-\d{8}-\d{4}\.csv"$/);
  const lines = (await filtered.text()).split("\r\n").filter(Boolean);
  expect(lines.slice(1).every((line) => line.includes(",member_removed,"))).toBe(true);
  expect(lines.some((line) => line.includes("sam@sandbox.test"))).toBe(true);
});

test("the audit log pages on the server: older and newer pages keep the filter, and a pager's ends are no links", async () => {
  // Each export of the connection list is audited: 51 of them fill more than one page of 50.
  for (let export_ = 0; export_ < 51; export_++) {
    expect((await admin.request.get("/admin/connections/export")).status()).toBe(200);
  }
  await admin.goto("/admin/audit?event=connections_exported");
  const pager = admin.getByRole("navigation", { name: "Pages of the audit log" });
  const where = pager.locator("p");
  const table = admin.getByRole("region", { name: "Audit entries" });
  await expect(where).toHaveText(/^\d+ entries · page 1 of \d+$/);
  const pageCount = Number((await where.textContent())!.match(/of (\d+)$/)![1]);
  expect(pageCount).toBeGreaterThanOrEqual(2);
  // On the first page there is nothing newer: those two are greyed-out text, not links.
  for (const end of ["Newest", "Newer"]) {
    await expect(pager.getByRole("link", { name: end })).toHaveCount(0);
    await expect(pager.getByText(end, { exact: true })).toHaveAttribute("aria-disabled", "true");
  }
  await expect(table.getByRole("row")).toHaveCount(51);

  await pager.getByRole("link", { name: "Older" }).click();
  await expect(admin).toHaveURL(/[?&]event=connections_exported(&|$)/);
  await expect(admin).toHaveURL(/[?&]page=2(&|$)/);
  await expect(where).toContainText(`page 2 of ${pageCount}`);
  await expect(table.getByRole("row", { name: /Connections exported/ }).first()).toBeVisible();

  // Page 2 may be the last already; the last has nothing older.
  if (pageCount > 2) await pager.getByRole("link", { name: "Oldest" }).click();
  await expect(where).toContainText(`page ${pageCount} of ${pageCount}`);
  for (const end of ["Older", "Oldest"]) await expect(pager.getByRole("link", { name: end })).toHaveCount(0);
  await pager.getByRole("link", { name: "Newest" }).click();
  await expect(where).toHaveText(/ · page 1 of \d+$/);
  await expect(admin).not.toHaveURL(/[?&]page=/);
});
