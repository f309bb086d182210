import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashApiKey } from "@/lib/api-keys/keys";
import { createApiKey, listApiKeys, revokeApiKey } from "@/lib/api-keys/store";
import { openTokens } from "@/lib/connections/tokens";
import { apiKeys, auditEvents, connections, organizations } from "@/lib/db/schema";
import { DAY_MS } from "@/lib/lifecycle/schedule";
import type { LifecycleFixture } from "@/testing/lifecycle-fixtures";
import { useLifecycleFixture } from "@/testing/lifecycle-suite";
import { documented } from "@/testing/openapi";
import { accessTokenResponse, connectionListResponse } from "./api";
import type { TokenApiContext } from "./types";
import { createTokenApiServer } from "./node-server";

const BASE = "http://portal.test/api/v1/connections";

describe("token API", () => {
  let fixture: LifecycleFixture;
  let apiKey: string;
  let ctx: TokenApiContext;

  useLifecycleFixture((created) => (fixture = created));
  afterEach(() => ctx?.handouts.flush());
  beforeEach(async () => {
    apiKey = await fixture.apiKey({ name: "Sync job" });
    ctx = context();
  });

  function context(perMinute = 600): TokenApiContext {
    return fixture.tokenApiContext({ leaseOwner: "api-test", perMinute, clocked: true });
  }

  const get = (path: string, key: string | null = apiKey) =>
    new Request(`${BASE}${path}`, { headers: key === null ? {} : { Authorization: `Bearer ${key}` } });
  // Every answer is checked against the OpenAPI document before the test looks at it.
  async function accessToken(id: string, query = "", key: string | null = apiKey) {
    const request = get(`/${id}/access-token${query}`, key);
    const response = await accessTokenResponse(ctx, request, id);
    await documented("GET", request.url, response);
    return response;
  }
  async function list(query = "", key: string | null = apiKey) {
    const request = get(query, key);
    const response = await connectionListResponse(ctx, request);
    await documented("GET", request.url, response);
    return response;
  }
  const body = async (response: Response) => (await response.json()) as Record<string, unknown>;

  async function otherOrganization() {
    const [org] = await fixture.db
      .insert(organizations)
      .values({ name: `Other ${randomUUID()}` })
      .returning();
    return org!.id;
  }

  describe("authentication", () => {
    it("answers 401 invalid_api_key without a key, with a malformed, unknown or revoked one", async () => {
      const id = await fixture.connection();
      const created = await createApiKey(fixture.db, {
        organizationId: fixture.organizationId,
        name: "Old job",
        actor: { system: "test" },
      });
      await revokeApiKey(fixture.db, {
        organizationId: fixture.organizationId,
        apiKeyId: created.id,
        actor: { system: "test" },
        now: new Date(),
      });
      for (const key of [null, "not-a-key", `apb_${"x".repeat(43)}`, created.key]) {
        const response = await accessToken(id, "", key);
        expect(response.status).toBe(401);
        expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
        expect(await body(response)).toMatchObject({ error: "invalid_api_key" });
        expect((await list("", key)).status).toBe(401);
      }
    });

    it("answers 404 for another organization's connection, as for no connection: its existence is not confirmed", async () => {
      const otherKey = await fixture.apiKey({ name: "Theirs", organizationId: await otherOrganization() });
      const id = await fixture.connection();
      const theirs = await accessToken(id, "", otherKey);
      const nobodys = await accessToken(randomUUID(), "", otherKey);
      expect(theirs.status).toBe(404);
      expect(await body(theirs)).toEqual(await body(nobodys));
      const missing = await accessToken(randomUUID());
      expect(missing.status).toBe(404);
      expect(await body(missing)).toMatchObject({ error: "not_found" });
      const malformed = await accessToken("not-a-uuid");
      expect(malformed.status).toBe(400);
      expect(await body(malformed)).toMatchObject({ error: "invalid_request" });
    });

    it("rate limits per key with 429 and Retry-After", async () => {
      ctx = context(4);
      const id = await fixture.connection();
      expect((await accessToken(id)).status).toBe(200);
      const limited = await accessToken(id);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(await body(limited)).toMatchObject({ error: "rate_limited" });
      // Another key of the organization has its own budget.
      const second = await fixture.apiKey({ name: "Second" });
      expect((await accessToken(id, "", second)).status).toBe(200);
      fixture.clock.advanceLocal(15_000);
      expect((await accessToken(id)).status).toBe(200);
    });
  });

  describe("access token", () => {
    it("hands out the stored token while it stays valid long enough: no refresh, no-store, audited without the token", async () => {
      const id = await fixture.connection();
      const stored = openTokens(fixture.keyring, await fixture.row(id))!;
      const response = await accessToken(id);
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const answer = await body(response);
      expect(answer).toMatchObject({
        connection_id: id,
        access_token: stored.accessToken,
        token_type: "Bearer",
        refreshed: false,
        scopes: ["accounts", "library"],
      });
      expect(answer.expires_in).toBeGreaterThan(6 * 86_400);
      expect((await fixture.control.stats()).token_grants.refresh_token.ok).toBe(0);

      await ctx.handouts.flush();
      const audit = await fixture.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.event, "access_token_issued"), eq(auditEvents.connectionId, id)));
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        connectionId: id,
        organizationId: fixture.organizationId,
        actorLabel: "API key “Sync job”",
      });
      expect(JSON.stringify(audit)).not.toContain(stored.accessToken);
      expect(JSON.stringify(await fixture.db.select().from(auditEvents))).not.toContain(apiKey);
      const [key] = await fixture.db
        .select()
        .from(apiKeys)
        .where(eq(apiKeys.secretHash, hashApiKey(apiKey)));
      expect(key?.lastUsedAt).not.toBeNull();
    });

    it("refreshes first when the token expires within min_valid_seconds, once for many concurrent callers", async () => {
      const id = await fixture.connection();
      const before = openTokens(fixture.keyring, await fixture.row(id))!;
      await fixture.clock.advance(6.5 * DAY_MS);
      await fixture.control.resetStats();
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => accessToken(id, "?min_valid_seconds=86400")),
      );
      const answers = await Promise.all(responses.map(body));
      expect(responses.every((r) => r.status === 200)).toBe(true);
      const tokens = new Set(answers.map((a) => a.access_token));
      expect(tokens.size).toBe(1);
      expect(tokens.has(before.accessToken)).toBe(false);
      expect(answers[0]!.expires_in).toBeGreaterThan(6 * 86_400);
      expect((await fixture.control.stats()).token_grants.refresh_token).toEqual({ ok: 1, error: 0 });
      expect(await fixture.client().introspect(answers[0]!.access_token as string)).toMatchObject({ active: true });
    });

    it("answers 409 for a connection that needs re-authorization or was disconnected", async () => {
      const [broken, revoked] = await fixture.insertConnections(2);
      await fixture.db.update(connections).set({ status: "needs_reauthorization" }).where(eq(connections.id, broken!));
      await fixture.db
        .update(connections)
        .set({ status: "revoked", accessTokenCiphertext: null, refreshTokenCiphertext: null })
        .where(eq(connections.id, revoked!));
      expect(await body(await accessToken(broken!))).toMatchObject({ error: "needs_reauthorization" });
      const gone = await accessToken(revoked!);
      expect(gone.status).toBe(409);
      expect(await body(gone)).toMatchObject({ error: "connection_revoked" });
    });

    it("hands out nothing for a connection being revoked, although its tokens are still stored", async () => {
      const [revoking] = await fixture.insertConnections(1);
      await fixture.db.update(connections).set({ status: "revoking" }).where(eq(connections.id, revoking!));
      const answer = await accessToken(revoking!);
      expect(answer.status).toBe(409);
      expect(await body(answer)).toMatchObject({ error: "connection_revoked" });
      expect((await fixture.control.stats()).token_grants.refresh_token).toEqual({ ok: 0, error: 0 });
    });

    it("answers 409 when the refresh it needed finds the grant revoked at Apicbase", async () => {
      const id = await fixture.connection();
      await fixture.control.revokeGrant({ email: "nora@sandbox.test", client_id: "sandbox-partner-app" });
      // A token valid long enough is handed out without asking Apicbase (the refresher finds such grants early).
      expect((await accessToken(id, "?min_valid_seconds=86400")).status).toBe(200);
      await fixture.clock.advance(6.5 * DAY_MS);
      const refused = await accessToken(id, "?min_valid_seconds=86400");
      expect(refused.status).toBe(409);
      expect(await body(refused)).toMatchObject({ error: "needs_reauthorization" });
      expect((await fixture.row(id)).status).toBe("needs_reauthorization");
    });

    it("answers 503 with Retry-After when the refresh it needed failed at Apicbase, and keeps the connection", async () => {
      const id = await fixture.connection();
      await fixture.clock.advance(6.5 * DAY_MS);
      await fixture.control.fault({ endpoint: "token", mode: "error_500" });
      const response = await accessToken(id, "?min_valid_seconds=86400");
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBeTruthy();
      const answer = await body(response);
      expect(answer).toMatchObject({ error: "refresh_failed" });
      expect(JSON.stringify(answer)).not.toContain(openTokens(fixture.keyring, await fixture.row(id))!.accessToken);
      expect((await fixture.row(id)).status).toBe("refresh_failing");
    });

    it("refuses a min_valid_seconds that is not a whole number of seconds up to a day", async () => {
      const id = await fixture.connection();
      for (const query of [
        "?min_valid_seconds=-1",
        "?min_valid_seconds=1.5",
        "?min_valid_seconds=abc",
        "?min_valid_seconds=86401",
      ]) {
        const response = await accessToken(id, query);
        expect(response.status).toBe(400);
        expect(await body(response)).toMatchObject({ error: "invalid_request" });
      }
    });
  });

  describe("connection list", () => {
    it("pages through the organization's connections with status and expiry, never a token", async () => {
      const ids = await fixture.insertConnections(3);
      await fixture.db.update(connections).set({ status: "needs_reauthorization" }).where(eq(connections.id, ids[0]!));
      const otherOrg = await otherOrganization();
      await fixture.db.update(connections).set({ organizationId: otherOrg }).where(eq(connections.id, ids[2]!));
      await fixture.insertConnections(1);

      const first = await list("?limit=2");
      expect(first.headers.get("cache-control")).toBe("no-store");
      const page1 = (await first.json()) as {
        data: { id: string; status: string; access_token_expires_at: string }[];
        next_cursor: string | null;
      };
      expect(page1.data).toHaveLength(2);
      expect(page1.next_cursor).toBeTruthy();
      const page2 = (await (await list(`?limit=2&cursor=${page1.next_cursor}`)).json()) as typeof page1;
      expect(page2.data).toHaveLength(1);
      expect(page2.next_cursor).toBeNull();
      const listed = [...page1.data, ...page2.data];
      expect(listed.map((c) => c.id)).not.toContain(ids[2]);
      expect(listed.find((c) => c.id === ids[0])).toMatchObject({ status: "needs_reauthorization" });
      expect(listed.every((c) => c.access_token_expires_at)).toBe(true);
      const text = JSON.stringify(listed);
      for (const id of ids) {
        const pair = openTokens(fixture.keyring, await fixture.row(id))!;
        expect(text).not.toContain(pair.accessToken);
      }
    });

    it("refuses a bad limit or cursor", async () => {
      for (const query of [
        "?limit=0",
        "?limit=201",
        "?limit=x",
        "?cursor=bogus",
        "?limit=1&limit=2",
        "?library_id=0",
      ]) {
        const response = await list(query);
        expect(response.status).toBe(400);
        expect(await body(response)).toMatchObject({ error: "invalid_request" });
      }
    });
  });

  describe("as npm run token-api (node:http, no Next.js)", () => {
    it("serves the same endpoints and answers 404 and 405 as JSON", async () => {
      const id = await fixture.connection();
      const server = createTokenApiServer(ctx);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const fetch = async (url: string, init: RequestInit = {}) => {
        const response = await globalThis.fetch(url, init);
        await documented(init.method ?? "GET", url, response);
        return response;
      };
      try {
        const auth = { Authorization: `Bearer ${apiKey}` };
        const ok = await fetch(`${base}/api/v1/connections/${id}/access-token`, { headers: auth });
        expect(ok.status).toBe(200);
        expect(ok.headers.get("cache-control")).toBe("no-store");
        expect(await ok.json()).toMatchObject({ connection_id: id, token_type: "Bearer" });
        expect((await fetch(`${base}/api/v1/connections?limit=1`, { headers: auth })).status).toBe(200);
        expect((await fetch(`${base}/api/v1/connections`)).status).toBe(401);
        const missing = await fetch(`${base}/api/v2/anything`, { headers: auth });
        expect(missing.status).toBe(404);
        expect(await missing.json()).toMatchObject({ error: "not_found" });
        const post = await fetch(`${base}/api/v1/connections`, { method: "POST", headers: auth });
        expect(post.status).toBe(405);
        expect(await post.json()).toMatchObject({ error: "method_not_allowed" });
        // A malformed percent-encoding is a bad request, and the server keeps serving.
        const malformed = await fetch(`${base}/api/v1/connections/%E0%A4%A/access-token`, { headers: auth });
        expect(malformed.status).toBe(400);
        expect(await malformed.json()).toMatchObject({ error: "invalid_request" });
        expect((await fetch(`${base}/api/v1/connections/${id}/access-token`, { headers: auth })).status).toBe(200);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  describe("API keys", () => {
    it("stores only a hash, lists without secrets, and revokes only within the organization", async () => {
      const created = await createApiKey(fixture.db, {
        organizationId: fixture.organizationId,
        name: "Backend",
        actor: { system: "test" },
      });
      expect(created.key).toMatch(/^apb_[A-Za-z0-9_-]{43}$/);
      expect(created.key.startsWith(created.prefix)).toBe(true);
      const [row] = await fixture.db.select().from(apiKeys).where(eq(apiKeys.id, created.id));
      expect(row!.secretHash).toBe(hashApiKey(created.key));
      expect(JSON.stringify(row)).not.toContain(created.key);
      const listed = await listApiKeys(fixture.db, fixture.organizationId);
      expect(JSON.stringify(listed)).not.toContain(created.key);
      expect(JSON.stringify(listed)).not.toContain(row!.secretHash);

      const other = await otherOrganization();
      const revoke = (organizationId: string) =>
        revokeApiKey(fixture.db, { organizationId, apiKeyId: created.id, actor: { system: "test" }, now: new Date() });
      expect(await revoke(other)).toBe(false);
      expect(await revoke(fixture.organizationId)).toBe(true);
      expect(await revoke(fixture.organizationId)).toBe(false);
      const audit = await fixture.db
        .select()
        .from(auditEvents)
        .where(eq(auditEvents.organizationId, fixture.organizationId));
      expect(audit.map((e) => e.event)).toEqual(expect.arrayContaining(["api_key_created", "api_key_revoked"]));
      expect(JSON.stringify(audit)).not.toContain(created.key);
    });
  });
});
