import { readFile } from "node:fs/promises";
import { expect, test, type BrowserContext, type Download, type Page } from "@playwright/test";
import { EmulatorControl } from "../emulator/testing";
import { SANDBOX_PARTNER_APP } from "../lib/sandbox";
import { parseCsv } from "../testing/csv";
import { approveLinkElsewhere, createOrganization, screenshot, signIn } from "./journey";
import { EMULATOR_URL, PORTAL_URL } from "./urls";

/**
 * Bulk actions and the CSV export, in an organization of the journey's own (its name starts like a spreadsheet
 * formula): four libraries imported, two of their grants revoked at Apicbase, a bulk Verify over everything finds
 * them, a bulk "Create re-authorization links" over the filtered list makes one link each (its progress is there
 * after a reload, and a link works for the owner), the CSV export has the list's rows, formulas defused.
 */
test.describe.configure({ mode: "serial" });

const emulator = new EmulatorControl(EMULATOR_URL);
const organizationName = `=1+2 Bulk Kitchen ${Date.now().toString(36)}`;

let context: BrowserContext;
let page: Page;
let organizationId = "";

const listStatus = () => page.getByRole("status").filter({ hasText: /^Showing|^No connection/ });
const bulk = () => page.getByRole("region", { name: "Act on many connections" });
const progress = () => page.getByRole("region", { name: "Progress" });
const outcomes = () => page.getByRole("region", { name: "Outcome per connection" });

async function importLibrary(email: string, libraryId: number) {
  await emulator.setActiveLibrary(email, libraryId);
  const pair = await emulator.mintTokens({ email, client_id: SANDBOX_PARTNER_APP.clientId, scope: "accounts library" });
  await page.goto(`/connections/import?organization=${organizationId}`);
  await page.getByLabel("Application that issued the tokens").selectOption({ label: SANDBOX_PARTNER_APP.name });
  await page.getByLabel("Access token", { exact: true }).fill(pair.access_token);
  await page.getByLabel("Refresh token", { exact: true }).fill(pair.refresh_token!);
  await page.getByRole("button", { name: "Check with Apicbase" }).click();
  await page.getByRole("button", { name: "Store this connection" }).click();
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?notice=imported$/);
  return pair;
}

/** The library owner revokes the portal's access in Apicbase (RFC 7009 with the partner's credentials). */
async function revokeAtApicbase(refreshToken: string) {
  const response = await fetch(`${EMULATOR_URL}/oauth/revoke_token/`, {
    method: "POST",
    body: new URLSearchParams({
      token: refreshToken,
      token_type_hint: "refresh_token",
      client_id: SANDBOX_PARTNER_APP.clientId,
      client_secret: SANDBOX_PARTNER_APP.clientSecret,
    }),
  });
  expect(response.status).toBe(200);
}

async function downloaded(download: Download): Promise<string[][]> {
  const text = await readFile((await download.path())!, "utf8");
  expect(text.charCodeAt(0)).toBe(0xfeff);
  return parseCsv(text.slice(1));
}

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext();
  page = await context.newPage();
  await signIn(page, "admin");
  organizationId = await createOrganization(page, organizationName);
});

test.afterAll(async () => {
  // Leave the shared emulator's users as the other journeys expect them.
  await emulator.setActiveLibrary("nora@sandbox.test", 101).catch(() => undefined);
  await emulator.setActiveLibrary("otto@sandbox.test", 103).catch(() => undefined);
  await context?.close();
});

test("a bulk Verify over every connection finds the two whose grants were revoked at Apicbase", async () => {
  const cafe = await importLibrary("nora@sandbox.test", 102);
  await importLibrary("nora@sandbox.test", 101);
  const trattoria = await importLibrary("otto@sandbox.test", 104);
  await importLibrary("otto@sandbox.test", 103);
  await revokeAtApicbase(cafe.refresh_token!);
  await revokeAtApicbase(trattoria.refresh_token!);

  await page.goto(`/connections?organization=${organizationId}`);
  await expect(listStatus()).toHaveText("Showing 1–4 of 4 connections.");
  await expect(bulk().getByRole("radio", { name: "All 4 connections of this organization" })).toBeChecked();
  await expect(bulk().getByRole("radio", { name: /^Selected connections/ })).toBeDisabled();
  await screenshot(page, "bulk-actions-bar");
  await bulk().getByRole("button", { name: "Verify", exact: true }).click();

  await expect(page).toHaveURL(/\/connections\/jobs\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Verify 4 connections");
  await expect(progress()).toContainText("Finished", { timeout: 30_000 });
  await expect(progress()).toContainText("4 of 4 processed, 4 done");
  await expect(progress().getByRole("progressbar")).toHaveAttribute("aria-valuenow", "4");
  await expect(outcomes().getByRole("row", { name: /Café Zuid/ })).toContainText("Verified: not active");
  await expect(outcomes().getByRole("row", { name: /Trattoria West/ })).toContainText("Verified: not active");
  await expect(outcomes().getByRole("row", { name: /Bistro Nord/ })).toContainText("Verified: active");
  await screenshot(page, "bulk-verify-finished");

  // Each connection's History names the verification, by the admin who started the job.
  await outcomes().getByRole("link", { name: "Café Zuid" }).click();
  await expect(page.locator("main h1 + [data-status]")).toHaveText("Needs re-authorization");
  await expect(page.getByRole("region", { name: "History", exact: true })).toContainText("Verified: not active");
  await expect(page.getByRole("region", { name: "History", exact: true })).toContainText("admin@sandbox.test");
});

test("a bulk re-authorization links job over the filtered list: progress after a reload, a link per connection", async ({
  browser,
}) => {
  await page.goto(`/connections?organization=${organizationId}&status=needs_reauthorization`);
  await expect(listStatus()).toHaveText("Showing 1–2 of 2 connections matching.");
  await expect(bulk().getByRole("radio", { name: "All 2 connections matching this search" })).toBeChecked();
  await bulk().getByRole("button", { name: "Create re-authorization links" }).click();
  await expect(page).toHaveURL(/\/connections\/jobs\/[0-9a-f-]{36}$/);
  const jobUrl = page.url();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Re-authorization links for 2 connections");
  await expect(page.getByRole("main")).toContainText(
    "on every connection with the status “Needs re-authorization” (2)",
  );

  // The job lives in the database: a reload (or the dashboard) shows how far it got.
  await page.reload();
  await expect(progress()).toContainText("Finished", { timeout: 30_000 });
  await expect(progress()).toContainText("2 of 2 processed, 2 done");
  const cafeLink = await outcomes().getByLabel("Re-authorization link for Café Zuid").inputValue();
  const trattoriaLink = await outcomes().getByLabel("Re-authorization link for Trattoria West").inputValue();
  for (const link of [cafeLink, trattoriaLink]) expect(link).toMatch(/\/authorize\/[A-Za-z0-9_-]{43}$/);
  await screenshot(page, "bulk-links-finished");

  // The list to hand to the owners, as CSV.
  const [file] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download the working links as CSV" }).click(),
  ]);
  const rows = await downloaded(file);
  expect(rows[0]).toEqual(["organization", "library_id", "library_name", "approved_by", "link", "expires_at_utc"]);
  expect(rows.slice(1).map((row) => [row[0], row[2], row[4]])).toEqual([
    [`'${organizationName}`, "Café Zuid", cafeLink],
    [`'${organizationName}`, "Trattoria West", trattoriaLink],
  ]);

  // Each link copies from the job's page, and from the organization's list of links (for whoever started the job).
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: PORTAL_URL });
  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
  await outcomes().getByRole("button", { name: "Copy link for Café Zuid" }).click();
  await expect(outcomes().getByRole("button", { name: "Copy link for Café Zuid" })).toHaveText("Copied");
  expect(await clipboard()).toBe(cafeLink);
  await page.goto(`/links?organization=${organizationId}`);
  await expect(page.getByLabel("The link for Café Zuid")).toHaveValue(cafeLink);
  await expect(page.getByLabel("The link for Trattoria West")).toHaveValue(trattoriaLink);
  await page.getByRole("button", { name: "Copy link for Trattoria West" }).click();
  await expect(page.getByRole("button", { name: "Copy link for Trattoria West" })).toHaveText("Copied");
  expect(await clipboard()).toBe(trattoriaLink);
  await screenshot(page, "links-bulk-copy");

  await page.goto(`/connections?organization=${organizationId}`);
  const recent = page.getByRole("region", { name: "Recent bulk actions" });
  await expect(recent.getByRole("listitem").first()).toContainText("Re-authorization links for 2 connections");
  await expect(recent.getByRole("listitem").first()).toContainText("2 of 2 processed, 2 done");
  await page.reload();
  await expect(recent.getByRole("listitem").nth(1)).toContainText("Verify 4 connections");

  // A link works for the library owner, who has no portal account.
  await emulator.setActiveLibrary("nora@sandbox.test", 102);
  const owner = await approveLinkElsewhere(browser, cafeLink, "nora");
  await expect(owner.page.getByRole("heading", { name: "Re-authorized" })).toBeVisible();
  await owner.close();
  await emulator.setActiveLibrary("nora@sandbox.test", 101);

  // Back on the job: that link is used now, the other still works.
  await page.goto(jobUrl);
  await expect(outcomes().getByRole("row", { name: /Café Zuid/ })).toContainText("Used: the owner approved");
  await expect(outcomes().getByLabel("Re-authorization link for Trattoria West")).toHaveValue(trattoriaLink);
  // The used one is no longer offered on the links page either.
  await page.goto(`/links?organization=${organizationId}`);
  await expect(page.getByLabel("The link for Trattoria West")).toHaveValue(trattoriaLink);
  await expect(page.getByLabel("The link for Café Zuid")).toHaveCount(0);
});

test("the CSV export has the filtered list's rows, spreadsheet formulas defused", async () => {
  await page.goto(`/connections?organization=${organizationId}&status=needs_reauthorization`);
  await expect(listStatus()).toHaveText("Showing 1–1 of 1 connection matching.");
  const [filtered] = await Promise.all([
    page.waitForEvent("download"),
    bulk().getByRole("link", { name: "Export matching connections as CSV" }).click(),
  ]);
  expect(filtered.suggestedFilename()).toMatch(/^connections-\d{8}-\d{4}\.csv$/);
  const rows = await downloaded(filtered);
  // Spelled out, not imported: a change of the export's format must fail here.
  expect(rows[0]!.slice(0, 7).join(",")).toBe(
    "connection_id,organization,organization_id,library_id,library_name,status,status_code",
  );
  expect(rows.slice(1).map((row) => [row[1], row[4], row[5]])).toEqual([
    [`'${organizationName}`, "Trattoria West", "Needs re-authorization"],
  ]);

  await page.goto(`/connections?organization=${organizationId}`);
  const [all] = await Promise.all([
    page.waitForEvent("download"),
    bulk().getByRole("link", { name: "Export all connections as CSV" }).click(),
  ]);
  const everything = await downloaded(all);
  expect(everything.slice(1).map((row) => row[4])).toEqual([
    "Bistro Nord",
    "Brasserie Oost",
    "Café Zuid",
    "Trattoria West",
  ]);
  // No cell a spreadsheet would run, and no token of any kind.
  for (const row of everything) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  expect(JSON.stringify(everything)).not.toMatch(/(?<![A-Za-z0-9_-])[A-Za-z0-9]{30}(?![A-Za-z0-9_-])/);
});

test("a bulk Revoke with one reason ends every connection of the organization, at Apicbase too", async () => {
  await page.goto(`/connections?organization=${organizationId}`);
  await expect(listStatus()).toHaveText("Showing 1–4 of 4 connections.");
  // Two picked by hand first: the bar acts on those, until every match is chosen instead.
  await page.getByRole("checkbox", { name: "Select Bistro Nord" }).check();
  await page.getByRole("checkbox", { name: "Select Café Zuid" }).check();
  await expect(bulk().getByRole("radio", { name: "The 2 connections selected" })).toBeChecked();
  await bulk().getByRole("radio", { name: "All 4 connections of this organization" }).check();
  await bulk().getByRole("button", { name: "Revoke…" }).click();
  const dialog = page.getByRole("dialog", { name: "Revoke 4 connections?" });
  await dialog.getByRole("button", { name: "Yes, revoke 4 connections" }).click();
  // A reason is required: refused at the field, nothing started.
  await expect(dialog.getByLabel(/^Reason/)).toBeFocused();
  await expect(page).toHaveURL(/\/connections\?organization=/);
  await dialog.getByLabel(/^Reason/).fill("The bulk journey is over");
  await dialog.getByRole("button", { name: "Yes, revoke 4 connections" }).click();
  await expect(page).toHaveURL(/\/connections\/jobs\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Revoke 4 connections");
  await expect(page.getByRole("main")).toContainText("Reason: “The bulk journey is over”.");
  await expect(progress()).toContainText("Finished", { timeout: 30_000 });
  await expect(progress()).toContainText("4 of 4 processed, 4 done");
  await expect(outcomes().getByRole("row", { name: /Bistro Nord/ })).toContainText("Revoked");
  await page.goto(`/connections?organization=${organizationId}&status=revoked`);
  await expect(listStatus()).toHaveText("Showing 1–4 of 4 connections matching.");
});

test("a partner of another organization gets neither the export nor the job", async ({ browser }) => {
  const partner = await browser.newContext();
  const partnerPage = await partner.newPage();
  await signIn(partnerPage, "partner");
  const exported = await partnerPage.request.get(`${PORTAL_URL}/connections/export?organization=${organizationId}`);
  expect(exported.status()).toBe(404);
  expect(await exported.text()).not.toContain("Bulk Kitchen");
  await page.goto(`/connections?organization=${organizationId}`);
  const jobHref = await page
    .getByRole("region", { name: "Recent bulk actions" })
    .getByRole("link")
    .first()
    .getAttribute("href");
  const job = await partnerPage.goto(jobHref!);
  expect(job?.status()).toBe(404);
  const progress = await partnerPage.request.get(`${PORTAL_URL}/api/portal/bulk-jobs/${jobHref!.split("/").pop()}`);
  expect(progress.status()).toBe(404);
  await partner.close();
});
