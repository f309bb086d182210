import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { describeConnection } from "@/lib/messages/connections";
import { deskAppRegistration, openTestDb, testAdmin } from "@/testing/dal";
import { startEmulator } from "@/emulator/testing";
import { ApicbaseClient } from "@/lib/apicbase/client";
import { endpointsFromBase } from "@/lib/apicbase/config";
import { recordAudit } from "@/lib/audit";
import { parseAuditFilters } from "@/lib/audit-log/filters";
import { createApicbaseUser } from "@/lib/auth/users";
import { disconnectConnection } from "@/lib/connections/revoke";
import { completeAuthorization, verifyConnection } from "@/lib/connections/service";
import { refreshConnection } from "@/lib/lifecycle/refresh";
import { auditEvents, closeDb, sessions, type Db } from "@/lib/db";
import { SANDBOX_DESK_APP, SANDBOX_PARTNER_APP } from "@/lib/sandbox";
import { registerApplication, replaceApplicationSecret, testApplicationCredentials } from "./applications";
import { auditLog, auditLogCsv } from "./audit-log";
import { getConnectionWithHistory } from "./connection-queries";
import { connectionContext, environmentApplication } from "./connections";
import { addMember, createOrganization, removeMember } from "./organizations";
import type { Admin, PortalUser } from "./session";
import { endSession, endUserSessions, sessionIdOf } from "./sessions";
import { mintTokenSet } from "@/testing/tokens";

let emulator: Awaited<ReturnType<typeof startEmulator>>;
let db: Db;
let admin: Admin;
let partner: PortalUser;
let outsider: PortalUser;
let organizationId: string;
let connectionId: string;

/** Every credential the flow below handles: none of them may end up in the audit log. */
const secrets = new Set<string>();
const WRONG_SECRET = "a-wrong-secret-for-the-desk-app";

async function approval(email: string) {
  const tokens = await mintTokenSet(emulator.control, email);
  secrets.add(tokens.accessToken).add(tokens.refreshToken);
  const client = new ApicbaseClient({
    endpoints: endpointsFromBase(emulator.url),
    clientId: SANDBOX_PARTNER_APP.clientId,
    clientSecret: SANDBOX_PARTNER_APP.clientSecret,
  });
  return { tokens, library: await client.getActiveLibrary(tokens.accessToken) };
}

/** The bytes as they are, byte-order mark included (Response.text() would drop it). */
async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(await new Response(stream).arrayBuffer());
}

/**
 * A full admin and token flow through the real services, against the emulator: register an application with a
 * wrong secret, test, replace, test; connect a library, refresh, verify, fail a refresh, disconnect; add and remove
 * a member with live sessions; end sessions.
 */
beforeAll(async () => {
  emulator = await startEmulator();
  secrets.add(WRONG_SECRET).add(SANDBOX_DESK_APP.clientSecret).add(SANDBOX_PARTNER_APP.clientSecret);
  db = await openTestDb({ apicbaseUrl: emulator.url });

  admin = await testAdmin(db);
  const created = await createOrganization(admin, "Audit Partner");
  if (created.outcome !== "created") throw new Error("no organization");
  organizationId = created.id;
  const other = await createOrganization(admin, "Other Partner");
  if (other.outcome !== "created") throw new Error("no organization");
  const { user: piet } = await createApicbaseUser(db, {
    apicbaseUserId: 2,
    email: "partner@sandbox.test",
    name: "Piet Partner",
  });
  const { user: otto } = await createApicbaseUser(db, {
    apicbaseUserId: 4,
    email: "otto@sandbox.test",
    name: "Otto Oost",
  });
  await addMember(admin, organizationId, "partner@sandbox.test");
  await addMember(admin, other.id, "otto@sandbox.test");
  partner = {
    id: piet.id,
    name: piet.name,
    email: piet.email,
    isAdmin: false,
    memberships: [{ organizationId, organizationName: "Audit Partner", role: "member" }],
  };
  outsider = {
    id: otto.id,
    name: otto.name,
    email: otto.email,
    isAdmin: false,
    memberships: [{ organizationId: other.id, organizationName: "Other Partner", role: "member" }],
  };

  const registered = await registerApplication(admin, deskAppRegistration(WRONG_SECRET));
  if (registered.outcome !== "registered") throw new Error("not registered");
  await testApplicationCredentials(admin, registered.id);
  await replaceApplicationSecret(admin, registered.id, SANDBOX_DESK_APP.clientSecret);
  await testApplicationCredentials(admin, registered.id);

  const applicationId = (await environmentApplication()).id;
  const ctx = await connectionContext(partner);
  const connected = await completeAuthorization(ctx, {
    organizationId,
    applicationId,
    ...(await approval("nora@sandbox.test")),
  });
  if (!connected.ok) throw new Error(describeConnection(connected));
  connectionId = connected.connectionId;
  const refreshed = await refreshConnection(ctx, { organizationId, connectionId });
  if (!refreshed.ok) throw new Error(describeConnection(refreshed));
  await verifyConnection(ctx, { organizationId, connectionId });
  await emulator.control.revokeGrant({ email: "nora@sandbox.test", client_id: SANDBOX_PARTNER_APP.clientId });
  // A manual refresh right after another is skipped; two minutes later it reaches Apicbase, which refuses it.
  const failed = await refreshConnection(
    { ...ctx, now: () => new Date(Date.now() + 120_000) },
    { organizationId, connectionId },
  );
  if (failed.ok) throw new Error("the refresh of a revoked grant succeeded");
  await disconnectConnection(ctx, { organizationId, connectionId, reason: "customer left" });

  const expires = new Date(Date.now() + 3600_000);
  const sessionTokens = [
    "otto-session-token-aaaaaaaaaaaa",
    "piet-session-token-bbbbbbbbbbbb",
    "piet-second-session-cccccccccc",
  ];
  for (const token of sessionTokens) secrets.add(token);
  await db.insert(sessions).values([
    { sessionToken: sessionIdOf(sessionTokens[0]!), userId: otto.id, expires },
    { sessionToken: sessionIdOf(sessionTokens[1]!), userId: piet.id, expires },
    { sessionToken: sessionIdOf(sessionTokens[2]!), userId: piet.id, expires },
  ]);
  await removeMember(admin, other.id, otto.id);
  await endSession(admin, sessionIdOf(sessionTokens[1]!));
  await endUserSessions(admin, piet.id);
  // The tokens the refresh rotated in are secrets too; the emulator's controls do not list them, so the scan below
  // also looks for anything shaped like an Apicbase token.
}, 60_000);

afterAll(async () => {
  await closeDb();
  await emulator?.close();
  vi.unstubAllEnvs();
});

/** Apicbase's tokens and codes are 30 characters of [A-Za-z0-9]. */
const TOKEN_SHAPED = /(?<![A-Za-z0-9_-])[A-Za-z0-9]{30}(?![A-Za-z0-9_-])/;

describe("the audit log of a full flow", () => {
  it("holds no token, secret, session token or code", async () => {
    const rows = await db.select().from(auditEvents);
    expect(rows.length).toBeGreaterThan(15);
    const everything = JSON.stringify(rows);
    for (const secret of secrets) expect(everything).not.toContain(secret);
    for (const row of rows) expect(JSON.stringify(row), row.event).not.toMatch(TOKEN_SHAPED);
    expect(everything).not.toMatch(/access_token|refresh_token|client_secret/);
  });

  it("records each step with its actor, outcome and Apicbase error", async () => {
    const events = (await db.select().from(auditEvents)).map((row) => [row.event, row.outcome, row.apicbaseError]);
    expect(events).toEqual(
      expect.arrayContaining([
        ["application_registered", "success", null],
        ["application_credentials_tested", "failure", "invalid_client"],
        ["application_secret_replaced", "success", null],
        ["application_credentials_tested", "success", "invalid_grant"],
        ["connection_connected", "success", null],
        ["connection_refreshed", "success", null],
        ["connection_verified", "success", null],
        ["connection_refresh_failed", "failure", "invalid_grant"],
        ["connection_disconnected", "success", null],
        ["member_removed", "success", null],
        ["session_ended", "success", null],
        ["user_sessions_ended", "success", null],
      ]),
    );
  });
});

describe("the admin audit log", () => {
  it("filters by connection, actor, event, outcome and time, with the names resolved and the detail in words", async () => {
    const byConnection = await auditLog(admin, parseAuditFilters({ connection: connectionId }).filters);
    expect(byConnection.entries.map((e) => e.event)).toEqual([
      "connection_disconnected",
      "connection_refresh_failed",
      "connection_verified",
      "connection_refreshed",
      "connection_connected",
    ]);
    const failed = byConnection.entries[1]!;
    expect(failed).toMatchObject({
      eventLabel: "Refresh failed",
      outcome: "failure",
      apicbaseError: "invalid_grant",
      organization: { id: organizationId, name: "Audit Partner" },
      connection: { id: connectionId, libraryId: 101, libraryName: "Bistro Nord" },
    });
    expect(byConnection.entries[0]!.summary).toContain("reason: customer left");

    const tested = await auditLog(
      admin,
      parseAuditFilters({ event: "application_credentials_tested", outcome: "failure" }).filters,
    );
    expect(tested.entries.map((e) => e.summary)).toEqual([
      `Desk app (client id ${SANDBOX_DESK_APP.clientId}) · wrong credentials`,
    ]);

    const byActor = await auditLog(
      admin,
      parseAuditFilters({ actor: "ADMIN@sandbox", event: "member_removed" }).filters,
    );
    expect(byActor.entries).toHaveLength(1);
    expect(byActor.entries[0]!.summary).toBe("otto@sandbox.test · 1 session ended");
    // Wildcards typed by the user match themselves.
    expect((await auditLog(admin, parseAuditFilters({ actor: "%" }).filters)).total).toBe(0);

    const future = await auditLog(admin, parseAuditFilters({ from: "2999-01-01T00:00" }).filters);
    expect(future.total).toBe(0);
    const all = await auditLog(admin, parseAuditFilters({ to: "2999-01-01" }).filters);
    expect(all.total).toBe((await db.select().from(auditEvents)).length);
  });

  it("pages on the server, newest first", async () => {
    const total = (await auditLog(admin, parseAuditFilters({}).filters)).total;
    const last = await auditLog(admin, parseAuditFilters({ page: "999" }).filters);
    expect(last.page).toBe(last.pageCount);
    expect(last.entries.length).toBe(total - (last.pageCount - 1) * last.pageSize);
  });

  it("exports the filtered log as CSV, all of it, in order, and records the export", async () => {
    const { page: _page, ...filters } = parseAuditFilters({ connection: connectionId }).filters;
    const csv = await readAll(await auditLogCsv(admin, filters, `?connection=${connectionId}`));
    const lines = csv.split("\r\n").filter(Boolean);
    expect(lines[0]).toBe(
      "\uFEFFtime_utc,actor,actor_user_id,organization,organization_id,connection_id,library_id,library_name,event,event_description,outcome,apicbase_error,summary,detail_json",
    );
    expect(lines.slice(1).map((line) => line.split(",")[8])).toEqual([
      "connection_disconnected",
      "connection_refresh_failed",
      "connection_verified",
      "connection_refreshed",
      "connection_connected",
    ]);
    for (const secret of secrets) expect(csv).not.toContain(secret);

    // Batches smaller than the log: keyset pagination neither skips nor repeats an entry.
    const { auditExportBatches } = await import("@/lib/audit-log/query");
    const ids: number[] = [];
    for await (const batch of auditExportBatches(db, parseAuditFilters({}).filters, 3))
      ids.push(...batch.map((row) => row.id));
    const expected = (await db.select({ id: auditEvents.id }).from(auditEvents))
      .map((row) => row.id)
      .sort((a, b) => b - a);
    expect(ids).toEqual(expected);

    const exported = await auditLog(admin, parseAuditFilters({ event: "audit_log_exported" }).filters);
    expect(exported.entries[0]).toMatchObject({
      actor: { label: "admin@sandbox.test" },
      summary: `filtered: connection=${connectionId}`,
    });
  });
});

describe("a connection's history for partners", () => {
  it("shows the organization's own entries to its members and admins, nothing to anyone else", async () => {
    // A refused attempt by someone of another organization is filed without an organization: not this partner's.
    await recordAudit(db, {
      actor: { id: outsider.id, email: outsider.email },
      event: "access_refused",
      outcome: "failure",
      connectionId,
    });
    const history = (await getConnectionWithHistory(partner, connectionId, 1))?.history;
    expect(history?.events.map((e) => e.event)).toEqual([
      "connection_disconnected",
      "connection_refresh_failed",
      "connection_verified",
      "connection_refreshed",
      "connection_connected",
    ]);
    expect((await getConnectionWithHistory(admin, connectionId, 1))?.history.total).toBe(5);
    expect(await getConnectionWithHistory(outsider, connectionId, 1)).toBeNull();
    expect(await getConnectionWithHistory(partner, crypto.randomUUID(), 1)).toBeNull();
    expect(await getConnectionWithHistory(partner, "not-an-id", 1)).toBeNull();
  });
});
