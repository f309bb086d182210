import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { describeConnection } from "@/lib/messages/connections";
import { approveInBrowser, startEmulator, type EmulatorControl } from "@/emulator/testing";
import { ApicbaseClient } from "@/lib/apicbase/client";
import { emulatorSettings, type ApicbaseSettings } from "@/lib/apicbase/config";
import { generateKey, parseKeyring } from "@/lib/crypto/secrets";
import { MEMORY, openDatabase, type Database } from "@/lib/db/client";
import { auditEvents, connections, organizations } from "@/lib/db/schema";
import { SANDBOX_PARTNER_APP } from "@/lib/sandbox";
import { clientForApplication, ensureEnvironmentApplication } from "./applications";
import { REVOKE_GIVE_UP_MS, REVOKE_GRACE_MS, resumeRevocations } from "./revoke";
import { refreshConnection } from "@/lib/lifecycle/refresh";
import type { ConnectionContext } from "./context";
import { disconnectConnection } from "./revoke";
import { completeAuthorization, connectWithCode, verifyConnection } from "./service";
import { openTokens } from "./tokens";
import { mintTokenSet } from "@/testing/tokens";

let emulator: Awaited<ReturnType<typeof startEmulator>>;
let control: EmulatorControl;
let database: Database;
let settings: ApicbaseSettings;
let applicationId: string;
let organizationId: string;
const keyring = parseKeyring(generateKey());

beforeAll(async () => {
  emulator = await startEmulator();
  control = emulator.control;
  database = await openDatabase({ dataDir: MEMORY });
  settings = emulatorSettings(emulator.url, 2000);
  applicationId = (await ensureEnvironmentApplication(database.db, settings)).id;
}, 60_000);
afterAll(async () => {
  await database?.close();
  await emulator?.close();
});

beforeEach(async () => {
  await control.reset();
  const [org] = await database.db
    .insert(organizations)
    .values({ name: `Org ${crypto.randomUUID()}` })
    .returning();
  organizationId = org!.id;
});

function context(overrides: Partial<ConnectionContext> = {}): ConnectionContext {
  return {
    db: database.db,
    keyring,
    clientFor: (id) => clientForApplication(database.db, keyring, settings, id),
    now: () => new Date(),
    actor: { system: "test" },
    leaseOwner: "test-process",
    ...overrides,
  };
}

const client = () =>
  new ApicbaseClient({
    endpoints: settings.endpoints,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
  });

async function approval(email: string) {
  const tokens = await mintTokenSet(control, email);
  return { tokens, library: await client().getActiveLibrary(tokens.accessToken) };
}

/** Completes an approval for this suite's organization and application; `extra` adds to (or overrides) that. */
function complete(
  approved: Awaited<ReturnType<typeof approval>>,
  extra: Partial<Parameters<typeof completeAuthorization>[1]> = {},
) {
  return completeAuthorization(context(), { organizationId, applicationId, ...approved, ...extra });
}

async function connect(email = "nora@sandbox.test") {
  const { tokens, library } = await approval(email);
  const result = await complete({ tokens, library });
  if (!result.ok) throw new Error(describeConnection(result));
  return { ...result, tokens };
}

async function row(id: string) {
  const [r] = await database.db.select().from(connections).where(eq(connections.id, id));
  return r!;
}

describe("an approval's code, end to end (connectWithCode)", () => {
  const redirectUri = "http://localhost:3000/api/connect/callback";
  async function approvedCode(email = "nora@sandbox.test") {
    const request = await client().createAuthorizationRequest({ redirectUri, scopes: ["accounts", "library"] });
    const answer = await approveInBrowser({
      authorizeUrl: request.url,
      email,
      password: email.replace(/@.*/, "-demo"),
    });
    if (answer.kind !== "redirect") throw new Error(`no redirect: ${answer.kind}`);
    const { code } = client().parseAuthorizationResponse(new URL(answer.location).searchParams, request.state);
    return { code, codeVerifier: request.codeVerifier };
  }

  it("exchanges the code, reads the active library and stores the connection", async () => {
    const { code, codeVerifier } = await approvedCode();
    const result = await connectWithCode(context(), client(), {
      code,
      redirectUri,
      codeVerifier,
      organizationId,
      applicationId,
    });
    expect(result).toMatchObject({ ok: true, outcome: "connected", libraryName: "Bistro Nord" });
  });

  it("hands the grant back when the library cannot be read, and stores nothing", async () => {
    const { code, codeVerifier } = await approvedCode();
    await control.fault({ endpoint: "api", mode: "error_500" });
    await expect(
      connectWithCode(context(), client(), { code, redirectUri, codeVerifier, organizationId, applicationId }),
    ).rejects.toThrow();
    expect((await control.stats()).requests.revoke).toBe(1);
    expect(await database.db.select().from(connections).where(eq(connections.organizationId, organizationId))).toEqual(
      [],
    );
  });
});

describe("completing an approval", () => {
  it("stores an encrypted connection labelled with the library and the approving user", async () => {
    const { connectionId, tokens, outcome } = await connect();
    expect(outcome).toBe("connected");
    const r = await row(connectionId);
    expect(r).toMatchObject({
      libraryId: 101,
      libraryName: "Bistro Nord",
      approvedByEmail: "nora@sandbox.test",
      approvedByName: "Nora Nord",
      status: "active",
      scopes: ["accounts", "library"],
    });
    expect(r.accessTokenCiphertext).not.toContain(tokens.accessToken);
    expect(JSON.stringify(r)).not.toContain(tokens.refreshToken);
    expect(openTokens(keyring, r)).toEqual({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
  });

  it("updates the existing connection when the organization connects the same library again", async () => {
    const first = await connect();
    const second = await connect();
    expect(second).toMatchObject({ outcome: "updated", connectionId: first.connectionId });
    expect(openTokens(keyring, await row(first.connectionId))?.accessToken).toBe(second.tokens.accessToken);
    // The replaced pair is handed back to Apicbase: no live grant left that the portal can no longer use or revoke.
    expect(await client().introspect(first.tokens.accessToken)).toEqual({ active: false });
    expect(await client().introspect(second.tokens.accessToken)).toMatchObject({ active: true });
    const revoked = await control.revokeGrant({ email: "nora@sandbox.test", client_id: SANDBOX_PARTNER_APP.clientId });
    expect(revoked.revoked).toMatchObject({ access_tokens: 1, refresh_tokens: 1 });
  });

  it("re-authorizes in place, and refuses (revoking the stray grant) when the user's active library is another one", async () => {
    const { connectionId } = await connect();
    await control.setActiveLibrary("nora@sandbox.test", 102);
    const stray = await approval("nora@sandbox.test");
    const refused = await complete(stray, { reauthorizeConnectionId: connectionId });
    expect(refused).toMatchObject({ ok: false, reason: "library_mismatch" });
    expect(await client().introspect(stray.tokens.accessToken)).toEqual({ active: false });
    await control.setActiveLibrary("nora@sandbox.test", 101);
    const fresh = await approval("nora@sandbox.test");
    expect(await complete(fresh, { reauthorizeConnectionId: connectionId })).toMatchObject({
      ok: true,
      outcome: "reauthorized",
      connectionId,
    });
  });

  it("does not let one organization re-authorize another's connection", async () => {
    const { connectionId } = await connect();
    const [other] = await database.db
      .insert(organizations)
      .values({ name: `Other ${crypto.randomUUID()}` })
      .returning();
    const fresh = await approval("nora@sandbox.test");
    expect(await complete(fresh, { organizationId: other!.id, reauthorizeConnectionId: connectionId })).toMatchObject({
      ok: false,
      reason: "not_found",
    });
  });

  it("audits an import as such, and importing the pair a connection already holds leaves that pair working", async () => {
    const { tokens, library } = await approval("nora@sandbox.test");
    const imported = await complete({ tokens, library }, { via: "token_import" });
    expect(imported).toMatchObject({ ok: true, outcome: "connected" });
    if (!imported.ok) throw new Error("unreachable");
    const audit = await database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.connectionId, imported.connectionId));
    expect(audit.map((entry) => [entry.event, (entry.detail as { via?: string }).via])).toEqual([
      ["connection_imported", "token_import"],
    ]);

    const again = await complete({ tokens, library }, { via: "token_import" });
    expect(again).toMatchObject({ ok: true, outcome: "updated", connectionId: imported.connectionId });
    expect(await client().introspect(tokens.accessToken)).toMatchObject({ active: true });
  });
});

describe("refresh", () => {
  it("rotates the pair atomically: new expiry stored, old tokens dead at Apicbase", async () => {
    const { connectionId, tokens } = await connect();
    const before = await row(connectionId);
    const result = await refreshConnection(context(), { organizationId, connectionId });
    expect(result.ok).toBe(true);
    const after = await row(connectionId);
    expect(after.tokenVersion).toBe(before.tokenVersion + 1);
    expect(after.lastRefreshedAt).not.toBeNull();
    expect(after.leaseOwner).toBeNull();
    expect(await client().introspect(tokens.accessToken)).toEqual({ active: false });
    expect(await client().introspect(openTokens(keyring, after)!.accessToken)).toMatchObject({ active: true });
  });

  it("lets only one of many concurrent refreshes through (one refresh grant, no invalid_grant), and all of them share it", async () => {
    const { connectionId } = await connect();
    await control.resetStats();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => refreshConnection(context(), { organizationId, connectionId })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const stats = await control.stats();
    expect(stats.token_grants.refresh_token).toEqual({ ok: 1, error: 0 });
  });

  it("marks invalid_grant as needing re-authorization", async () => {
    const { connectionId } = await connect();
    await control.revokeGrant({ email: "nora@sandbox.test", client_id: SANDBOX_PARTNER_APP.clientId });
    const result = await refreshConnection(context(), { organizationId, connectionId });
    expect(result).toMatchObject({ ok: false, apicbaseError: "invalid_grant", code: "apicbase_error" });
    expect(!result.ok && describeConnection(result)).toMatch(/re-authorize/);
    expect(await row(connectionId)).toMatchObject({
      status: "needs_reauthorization",
      lastRefreshError: "invalid_grant",
    });
  });

  it("detects a rotation whose answer was lost, and says so", async () => {
    const { connectionId } = await connect();
    await control.fault({ endpoint: "token", mode: "drop_after_commit" });
    const result = await refreshConnection(context(), { organizationId, connectionId });
    expect(result).toMatchObject({ ok: false, code: "lost_rotation" });
    expect(!result.ok && describeConnection(result)).toMatch(/answer was lost/);
    expect((await row(connectionId)).status).toBe("needs_reauthorization");
  });

  it("keeps a connection whose refresh timed out before reaching Apicbase usable, and a retry succeeds", async () => {
    const { connectionId } = await connect();
    settings = { ...settings, timeoutMs: 300 };
    await control.fault({ endpoint: "token", mode: "slow", delay_ms: 800 });
    const result = await refreshConnection(context(), { organizationId, connectionId });
    settings = { ...settings, timeoutMs: 2000 };
    expect(result).toMatchObject({ ok: false, apicbaseError: "timeout" });
    expect((await row(connectionId)).status).toBe("refresh_failing");
    await new Promise((r) => setTimeout(r, 900));
    expect((await refreshConnection(context(), { organizationId, connectionId })).ok).toBe(true);
    expect((await row(connectionId)).status).toBe("active");
  });

  it("does not blame the connection for wrong application credentials", async () => {
    const { connectionId } = await connect();
    const saved = settings;
    settings = { ...settings, clientSecret: "wrong" };
    const result = await refreshConnection(context(), { organizationId, connectionId });
    settings = saved;
    expect(result).toMatchObject({ ok: false, apicbaseError: "invalid_client" });
    expect((await row(connectionId)).status).toBe("active");
  });

  it("never lets a stale writer overwrite newer tokens", async () => {
    const { connectionId } = await connect();
    // A re-approval lands while a refresh is in flight: the refresh's compare-and-swap must lose.
    let reapproved = false;
    const slowContext = context({
      clientFor: async (id) => {
        const real = await clientForApplication(database.db, keyring, settings, id);
        return Object.assign(Object.create(real), {
          refresh: async (args: Parameters<ApicbaseClient["refresh"]>[0]) => {
            const tokens = await real.refresh(args);
            if (!reapproved) {
              reapproved = true;
              const fresh = await approval("nora@sandbox.test");
              await complete(fresh);
            }
            return tokens;
          },
        }) as ApicbaseClient;
      },
    });
    const result = await refreshConnection(slowContext, { organizationId, connectionId });
    expect(result).toMatchObject({ ok: false, reason: "busy" });
    const pair = openTokens(keyring, await row(connectionId))!;
    expect(await client().introspect(pair.accessToken)).toMatchObject({ active: true });
  });
});

describe("verify", () => {
  it("reports an active token with its server-side expiry, and library drift", async () => {
    const { connectionId } = await connect();
    const ok = await verifyConnection(context(), { organizationId, connectionId });
    expect(ok).toMatchObject({ ok: true, active: true, scopes: ["accounts", "library"], activeLibrary: { id: 101 } });
    await control.setActiveLibrary("nora@sandbox.test", 102);
    const drift = await verifyConnection(context(), { organizationId, connectionId });
    expect(drift).toMatchObject({ ok: true, active: true, activeLibrary: { id: 102, name: "Café Zuid" } });
    expect((await row(connectionId)).observedLibraryId).toBe(102);
  });

  it("marks a grant revoked at Apicbase as needing re-authorization", async () => {
    const { connectionId } = await connect();
    await control.revokeGrant({ email: "nora@sandbox.test", client_id: SANDBOX_PARTNER_APP.clientId });
    const result = await verifyConnection(context(), { organizationId, connectionId });
    expect(result).toMatchObject({ ok: true, active: false });
    expect((await row(connectionId)).status).toBe("needs_reauthorization");
  });
});

describe("disconnect", () => {
  it("revokes at Apicbase, deletes the tokens, keeps the row as revoked with why", async () => {
    const { connectionId, tokens } = await connect();
    const result = await disconnectConnection(context(), { organizationId, connectionId, reason: "customer left" });
    expect(result).toMatchObject({ ok: true, revocation: "revoked" });
    expect(await row(connectionId)).toMatchObject({
      status: "revoked",
      accessTokenCiphertext: null,
      refreshTokenCiphertext: null,
      revokeReason: "customer left",
    });
    expect(await client().introspect(tokens.accessToken)).toEqual({ active: false });
    const events = await database.db.select().from(auditEvents).where(eq(auditEvents.connectionId, connectionId));
    expect(events.map((e) => e.event)).toEqual(
      expect.arrayContaining(["connection_connected", "connection_disconnected"]),
    );
    expect(JSON.stringify(events)).not.toContain(tokens.accessToken);
  });

  it("still deletes the tokens where Apicbase has no revocation endpoint, and says what the owner can do", async () => {
    const { connectionId } = await connect();
    await control.settings({ revocation_endpoint: false });
    const result = await disconnectConnection(context(), { organizationId, connectionId, reason: "test" });
    expect(result).toMatchObject({ ok: true, revocation: "unsupported", code: "disconnected" });
    expect(result.ok && describeConnection(result)).toMatch(/remove the application in Apicbase/);
    expect((await row(connectionId)).refreshTokenCiphertext).toBeNull();
  });

  const later = (ms: number) => () => new Date(Date.now() + ms);
  const eventsOf = async (connectionId: string) =>
    (
      await database.db
        .select()
        .from(auditEvents)
        .where(eq(auditEvents.connectionId, connectionId))
        .orderBy(auditEvents.id)
    ).map((e) => ({
      event: e.event,
      apicbaseError: e.apicbaseError,
      detail: e.detail,
    }));

  it("finishes a revoke whose process died after marking the connection revoking", async () => {
    const { connectionId, tokens } = await connect();
    // What the first step leaves behind when the process dies before Apicbase is called.
    const asked = new Date(Date.now() - 10 * 60_000);
    await database.db
      .update(connections)
      .set({ status: "revoking", revokeReason: "contract ended", revokedAt: asked, updatedAt: asked })
      .where(eq(connections.id, connectionId));
    // Nothing uses it meanwhile.
    expect(await refreshConnection(context(), { organizationId, connectionId })).toMatchObject({
      ok: false,
      reason: "not_refreshable",
    });
    expect(await verifyConnection(context(), { organizationId, connectionId })).toMatchObject({
      ok: false,
      reason: "not_refreshable",
    });

    expect(await resumeRevocations(context({ actor: { system: "refresher" } }))).toEqual({ resumed: 1, finished: 1 });
    expect(await row(connectionId)).toMatchObject({
      status: "revoked",
      accessTokenCiphertext: null,
      refreshTokenCiphertext: null,
      revokeReason: "contract ended",
      revokedAt: asked,
    });
    expect(await client().introspect(tokens.accessToken)).toEqual({ active: false });
    expect(
      await client()
        .refresh({ refreshToken: tokens.refreshToken, currentScopes: tokens.scopes })
        .catch((e: unknown) => e),
    ).toMatchObject({ oauthError: "invalid_grant" });
    expect((await eventsOf(connectionId)).at(-1)).toMatchObject({
      event: "connection_disconnected",
      detail: { revocation: "revoked", reason: "contract ended", resumed: true },
    });
    // A second sweep finds nothing.
    expect(await resumeRevocations(context({ now: later(REVOKE_GRACE_MS * 2) }))).toEqual({ resumed: 0, finished: 0 });
  });

  it("leaves a revoke Apicbase answered with 500 in revoking, keeps the reason, and retries it after the grace period", async () => {
    const { connectionId, tokens } = await connect();
    await control.fault({ endpoint: "revoke", mode: "error_500", count: 1 });
    const result = await disconnectConnection(context(), { organizationId, connectionId, reason: "customer asked" });
    expect(result).toMatchObject({ ok: true, revocation: "pending" });
    const pending = await row(connectionId);
    expect(pending).toMatchObject({ status: "revoking", revokeReason: "customer asked" });
    expect(pending.refreshTokenCiphertext).not.toBeNull();
    // The access token still works at Apicbase, but the portal hands nothing out.
    expect((await client().introspect(tokens.accessToken)).active).toBe(true);
    expect(await refreshConnection(context(), { organizationId, connectionId })).toMatchObject({ ok: false });

    // Within the grace period the sweep leaves it to whoever is working on it.
    expect(await resumeRevocations(context())).toEqual({ resumed: 0, finished: 0 });
    expect(await resumeRevocations(context({ now: later(REVOKE_GRACE_MS + 1000) }))).toEqual({
      resumed: 1,
      finished: 1,
    });
    expect(await row(connectionId)).toMatchObject({
      status: "revoked",
      refreshTokenCiphertext: null,
      revokeReason: "customer asked",
    });
    expect(await client().introspect(tokens.accessToken)).toEqual({ active: false });
    const events = await eventsOf(connectionId);
    expect(events.map((e) => e.event)).toEqual([
      "connection_connected",
      "connection_revocation_pending",
      "connection_disconnected",
    ]);
    expect(events[1]).toMatchObject({ apicbaseError: "server_error", detail: { reason: "customer asked" } });
    expect(JSON.stringify(events)).not.toContain(tokens.refreshToken);
  });

  it("resumes a pending revoke when someone revokes again, with the first reason, and gives up on Apicbase after a day", async () => {
    const { connectionId } = await connect();
    await control.fault({ endpoint: "revoke", mode: "error_500", count: 3 });
    expect(await disconnectConnection(context(), { organizationId, connectionId, reason: "first" })).toMatchObject({
      revocation: "pending",
    });
    expect(await disconnectConnection(context(), { organizationId, connectionId, reason: "second" })).toMatchObject({
      revocation: "pending",
    });
    expect((await row(connectionId)).revokeReason).toBe("first");
    const done = await disconnectConnection(context({ now: later(REVOKE_GIVE_UP_MS + 60_000) }), {
      organizationId,
      connectionId,
      reason: "third",
    });
    expect(done).toMatchObject({ ok: true, revocation: "failed", code: "disconnected" });
    expect(done.ok && describeConnection(done)).toMatch(/remove the application in Apicbase/);
    expect(await row(connectionId)).toMatchObject({
      status: "revoked",
      refreshTokenCiphertext: null,
      revokeReason: "first",
    });
    expect(await disconnectConnection(context(), { organizationId, connectionId, reason: "again" })).toMatchObject({
      ok: false,
    });
  });

  it("re-authorizes a revoked connection in place", async () => {
    const { connectionId } = await connect();
    await disconnectConnection(context(), { organizationId, connectionId, reason: "by mistake" });
    const result = await complete(await approval("nora@sandbox.test"), { reauthorizeConnectionId: connectionId });
    expect(result).toMatchObject({ ok: true, outcome: "reauthorized", connectionId });
    expect(await row(connectionId)).toMatchObject({ status: "active", revokedAt: null, revokeReason: null });
    expect(await refreshConnection(context(), { organizationId, connectionId })).toMatchObject({
      ok: true,
      refreshed: true,
    });
  });
});
