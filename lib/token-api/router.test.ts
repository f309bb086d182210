import http from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApiKey, revokeApiKey } from "@/lib/api-keys/store";
import { openTokens } from "@/lib/connections/tokens";
import { apiKeys, auditEvents, connections, type ApiKeyScope } from "@/lib/db/schema";
import type { LifecycleFixture } from "@/testing/lifecycle-fixtures";
import { useLifecycleFixture } from "@/testing/lifecycle-suite";
import { documented } from "@/testing/openapi";
import type { TokenApiContext } from "./types";
import { createTokenApiServer } from "./node-server";
import { handleTokenApi } from "./router";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

/** Path segments a client might send, well-formed or not. */
const segment = fc.oneof(
  fc.constantFrom("connections", "libraries", "access-token", "apicbase", "openapi.json", "api", "v1", "", ".", ".."),
  fc.constantFrom("%", "%E0%A4%A", "%ZZ", "%2F", "%2e%2e", "%00", "%C0%AF", "%FF", "%u0041", "%%", "%20"),
  fc.constantFrom("101", "0", "-1", "1.5", "99999999999", "2147483648", "1e3", "0x10"),
  fc.uuid().map(String),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.string({ maxLength: 6, unit: "binary" }),
);
const apiPath = fc.array(segment, { maxLength: 6 }).map((parts) => `/api/v1/${parts.join("/")}`);
const queryValue = fc.oneof(
  fc.constantFrom(
    "",
    "0",
    "1",
    "50",
    "200",
    "201",
    "-1",
    "1.5",
    "abc",
    "true",
    "false",
    "TRUE",
    "%",
    "%ZZ",
    "1e2",
    " 1",
    "０",
  ),
  fc.nat({ max: 3_000_000_000 }).map(String),
  fc.string({ maxLength: 8 }).map(encodeURIComponent),
);
const queryName = fc.constantFrom(
  "limit",
  "cursor",
  "library_id",
  "min_valid_seconds",
  "force_refresh",
  "other",
  "%",
  "limit%00",
);
const query = fc
  .array(fc.tuple(queryName, queryValue), { maxLength: 4 })
  .map((pairs) => (pairs.length === 0 ? "" : `?${pairs.map(([name, value]) => `${name}=${value}`).join("&")}`));

describe("token API routing and input", () => {
  let fixture: LifecycleFixture;
  let ctx: TokenApiContext;
  let apiKey: string;

  useLifecycleFixture((created) => (fixture = created), 180_000);
  afterEach(() => ctx?.handouts.flush());
  beforeEach(async () => {
    apiKey = await key();
    ctx = fixture.tokenApiContext({
      leaseOwner: "router-test",
      perMinute: 1_000_000,
      proxy: { maxResponseBytes: 65_536 },
    });
  });

  async function key(scopes?: ApiKeyScope[], extra: { expiresAt?: Date; name?: string } = {}) {
    const created = await createApiKey(fixture.db, {
      organizationId: fixture.organizationId,
      name: extra.name ?? "Router job",
      actor: { system: "test" },
      scopes,
      expiresAt: extra.expiresAt,
    });
    return created.key;
  }

  async function call(path: string, { method = "GET", key: k = apiKey }: { method?: string; key?: string } = {}) {
    const url = `http://portal.test${path}`;
    const response = await handleTokenApi(
      ctx,
      new Request(url, { method, headers: { Authorization: `Bearer ${k}` } }),
      { address: "192.0.2.9" },
    );
    const body = (await documented(method, url, response)) as Record<string, unknown> | null;
    return { status: response.status, headers: response.headers, body };
  }

  describe("JSON everywhere", () => {
    it("answers unknown paths 404, wrong methods 405 with Allow, malformed ids and encodings 400", async () => {
      expect((await call("/api/v1/nothing/here")).body).toMatchObject({ error: "not_found" });
      expect((await call("/api/v1")).status).toBe(404);
      const post = await call("/api/v1/connections", { method: "POST" });
      expect(post.status).toBe(405);
      expect(post.headers.get("allow")).toBe("GET");
      expect(post.body).toMatchObject({ error: "method_not_allowed" });
      for (const path of [
        "/api/v1/connections/%E0%A4%A/access-token",
        "/api/v1/connections/not-a-uuid/access-token",
        "/api/v1/libraries/abc/access-token",
        "/api/v1/libraries/0/access-token",
        "/api/v1/libraries/2147483648/access-token",
      ]) {
        const answer = await call(path);
        expect(answer.status, path).toBe(400);
        expect(answer.body).toMatchObject({ error: "invalid_request" });
      }
      const document = await call("/api/v1/openapi.json");
      expect(document.body).toMatchObject({ openapi: "3.1.0" });
    });

    it("property: any path and method gets a documented JSON answer below 500 (in process, as Next.js runs it)", async () => {
      const limited = await key(["list", "token"]);
      await fixture.connection();
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...METHODS), apiPath, query, async (method, path, search) => {
          const url = `http://portal.test${path}${search}`;
          let request: Request;
          try {
            request = new Request(url, { method, headers: { Authorization: `Bearer ${limited}` } });
          } catch {
            return; // Not a URL any client could send.
          }
          const response = await handleTokenApi(ctx, request, { address: null });
          expect(response.status).toBeLessThan(500);
          if (method !== "HEAD") await documented(method, request.url, response);
        }),
        { numRuns: 300 },
      );
    });

    it("property: npm run token-api answers every raw request target with JSON and keeps serving", async () => {
      const server = createTokenApiServer(ctx);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as AddressInfo).port;
      const raw = (method: string, target: string) =>
        new Promise<{ status: number; type: string | undefined; body: string }>((resolve, reject) => {
          const request = http.request({
            host: "127.0.0.1",
            port,
            method,
            path: target,
            headers: { Authorization: `Bearer ${apiKey}` },
          });
          request.on("response", (response) => {
            let body = "";
            response.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
            response.on("end", () =>
              resolve({ status: response.statusCode ?? 0, type: response.headers["content-type"], body }),
            );
          });
          request.on("error", reject);
          request.end();
        });
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...METHODS),
            apiPath.filter((path) => /^[\x21-\x7e]*$/.test(path)),
            query.filter((q) => /^[\x21-\x7e]*$/.test(q)),
            async (method, path, search) => {
              const answer = await raw(method, `${path}${search}`);
              expect(answer.status).toBeLessThan(500);
              if (method !== "HEAD") {
                expect(answer.type).toMatch(/^application\/json/);
                expect(() => JSON.parse(answer.body)).not.toThrow();
              }
            },
          ),
          { numRuns: 150 },
        );
        expect((await raw("GET", "/api/v1/connections/%E0%A4%A/access-token")).status).toBe(400);
        expect((await raw("GET", "/api/v1/connections")).status).toBe(200);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it("property: a query parameter is accepted exactly when it is valid", async () => {
      const id = await fixture.connection();
      const valid: Record<string, (value: string) => boolean> = {
        limit: (v) => /^\d{1,10}$/.test(v) && Number(v) >= 1 && Number(v) <= 200,
        library_id: (v) => /^\d{1,10}$/.test(v) && Number(v) >= 1 && Number(v) <= 2_147_483_647,
        min_valid_seconds: (v) => /^\d{1,10}$/.test(v) && Number(v) <= 86_400,
        force_refresh: (v) => v === "true" || v === "false",
      };
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom("limit", "library_id", "min_valid_seconds", "force_refresh"),
          queryValue,
          async (name, value) => {
            const path =
              name === "limit" || name === "library_id"
                ? "/api/v1/connections"
                : `/api/v1/connections/${id}/access-token`;
            const answer = await call(`${path}?${name}=${value}`);
            // As any server reads a query string (form decoding; a stray % stays itself). Empty counts as absent.
            const decoded = new URLSearchParams(`${name}=${value}`).get(name)!;
            const expected = decoded === "" || valid[name]!(decoded) ? 200 : 400;
            expect(answer.status, `${name}=${value}`).toBe(expected);
          },
        ),
        { numRuns: 200 },
      );
    });
  });

  describe("lookup by library", () => {
    it("lists a library's connections and hands out the token of the one that reaches it", async () => {
      const [a] = await fixture.insertConnections(2);
      const { libraryId } = await fixture.row(a!);
      const listed = await call(`/api/v1/connections?library_id=${libraryId}`);
      expect((listed.body!.data as { id: string }[]).map((c) => c.id)).toEqual([a]);
      const token = await call(`/api/v1/libraries/${libraryId}/access-token`);
      expect(token.status).toBe(200);
      expect(token.body).toMatchObject({
        connection_id: a,
        library: { id: libraryId },
        access_token: openTokens(fixture.keyring, await fixture.row(a!))!.accessToken,
      });
      expect((await call("/api/v1/libraries/424242/access-token")).body).toMatchObject({ error: "not_found" });
    });

    it("answers 409 ambiguous_library naming the candidates when several connections reach one library", async () => {
      const [a, b] = await fixture.insertConnections(2);
      const { libraryId } = await fixture.row(a!);
      // b's user switched the active library in Apicbase: its token now reaches a's library too.
      await fixture.db.update(connections).set({ observedLibraryId: libraryId }).where(eq(connections.id, b!));
      const listed = await call(`/api/v1/connections?library_id=${libraryId}`);
      expect((listed.body!.data as { id: string }[]).map((c) => c.id).sort()).toEqual([a, b].sort());
      const ambiguous = await call(`/api/v1/libraries/${libraryId}/access-token`);
      expect(ambiguous.status).toBe(409);
      expect(ambiguous.body).toMatchObject({ error: "ambiguous_library" });
      expect((ambiguous.body!.candidates as { id: string }[]).map((c) => c.id).sort()).toEqual([a, b].sort());
      expect(JSON.stringify(ambiguous.body)).not.toContain(
        openTokens(fixture.keyring, await fixture.row(a!))!.accessToken,
      );
      // One of them needing re-authorization leaves one usable connection: no ambiguity.
      await fixture.db.update(connections).set({ status: "needs_reauthorization" }).where(eq(connections.id, b!));
      expect((await call(`/api/v1/libraries/${libraryId}/access-token`)).body).toMatchObject({ connection_id: a });
      // b's own library is reached by nothing now.
      const drifted = await call(`/api/v1/libraries/${(await fixture.row(b!)).libraryId}/access-token`);
      expect(drifted.status).toBe(404);
      expect(drifted.body!.message).toMatch(/switched/);
    });

    it("force_refresh=true refreshes once for concurrent callers and hands out the new token", async () => {
      const id = await fixture.connection();
      const before = openTokens(fixture.keyring, await fixture.row(id))!;
      await fixture.control.resetStats();
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => call(`/api/v1/connections/${id}/access-token?force_refresh=true`)),
      );
      expect(new Set(answers.map((a) => a.body!.access_token)).size).toBe(1);
      expect(answers[0]!.body!.access_token).not.toBe(before.accessToken);
      expect((await fixture.control.stats()).token_grants.refresh_token).toEqual({ ok: 1, error: 0 });
      // Within a minute of that refresh, another force_refresh hands out the same token without a grant.
      expect((await call(`/api/v1/connections/${id}/access-token?force_refresh=true`)).body).toMatchObject({
        refreshed: false,
      });
      expect((await fixture.control.stats()).token_grants.refresh_token).toEqual({ ok: 1, error: 0 });
    });
  });

  describe("API keys", () => {
    it("a key may only what its scopes allow", async () => {
      const id = await fixture.connection();
      const listOnly = await key(["list"]);
      expect((await call("/api/v1/connections", { key: listOnly })).status).toBe(200);
      const refused = await call(`/api/v1/connections/${id}/access-token`, { key: listOnly });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: "forbidden" });
      const tokenOnly = await key(["token"]);
      expect((await call("/api/v1/connections", { key: tokenOnly })).status).toBe(403);
      expect((await call(`/api/v1/connections/${id}/access-token`, { key: tokenOnly })).status).toBe(200);
    });

    it("an expired key is refused like a revoked one", async () => {
      const expiring = await key(undefined, { expiresAt: new Date(fixture.clock.now().getTime() + 60_000) });
      expect((await call("/api/v1/connections", { key: expiring })).status).toBe(200);
      fixture.clock.advanceLocal(61_000);
      const refused = await call("/api/v1/connections", { key: expiring });
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ error: "invalid_api_key" });
    });

    it("names the key as the actor, and keeps its last use (time and address) after revoking", async () => {
      const id = await fixture.connection();
      const named = await key(undefined, { name: "Nightly sales sync" });
      await call(`/api/v1/connections/${id}/access-token`, { key: named });
      await call(`/api/v1/connections/${id}/access-token?force_refresh=true`, { key: named });
      await ctx.handouts.flush();
      const events = await fixture.db.select().from(auditEvents).where(eq(auditEvents.connectionId, id));
      const byEvent = Object.fromEntries(events.map((e) => [e.event, e.actorLabel]));
      expect(byEvent).toMatchObject({
        access_token_issued: "API key “Nightly sales sync”",
        connection_refreshed: "API key “Nightly sales sync”",
      });

      const [row] = await fixture.db
        .select()
        .from(apiKeys)
        .where(and(eq(apiKeys.organizationId, fixture.organizationId), eq(apiKeys.name, "Nightly sales sync")));
      await new Promise((resolve) => setTimeout(resolve, 50)); // the touch is written without waiting for it
      await revokeApiKey(fixture.db, {
        organizationId: fixture.organizationId,
        apiKeyId: row!.id,
        actor: { system: "test" },
        now: new Date(),
      });
      const [revoked] = await fixture.db.select().from(apiKeys).where(eq(apiKeys.id, row!.id));
      expect(revoked).toMatchObject({ lastUsedAddress: "192.0.2.9" });
      expect(revoked!.lastUsedAt).not.toBeNull();
      expect(revoked!.revokedAt).not.toBeNull();
    });
  });
});
