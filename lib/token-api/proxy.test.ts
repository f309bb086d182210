import { beginDrain, endDrainForTests } from "@/lib/lifecycle/single-flight";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTokens } from "@/lib/connections/tokens";
import { apicbaseApiLimits, apiProxyUsage, connections, organizations, type ApiKeyScope } from "@/lib/db/schema";
import type { LifecycleFixture } from "@/testing/lifecycle-fixtures";
import { useLifecycleFixture } from "@/testing/lifecycle-suite";
import { documented } from "@/testing/openapi";
import type { TokenApiContext } from "./types";
import { createTokenApiServer } from "./node-server";
import { handleTokenApi } from "./router";

/** The Apicbase API proxy against the emulator: what goes out, what comes back, refreshes, limits, caps. */
describe("Apicbase API proxy", () => {
  let fixture: LifecycleFixture;
  let apiKey: string;
  let ctx: TokenApiContext;

  useLifecycleFixture((created) => (fixture = created), 180_000);
  afterEach(() => ctx?.handouts.flush());
  beforeEach(async () => {
    await fixture.db.delete(apicbaseApiLimits);
    apiKey = await key();
    ctx = context("process-a");
  });

  async function key(scopes?: ApiKeyScope[], organizationId = fixture.organizationId) {
    return fixture.apiKey({ name: "Proxy job", scopes, organizationId });
  }

  /** One portal process: its own lease owner, key rate limiter and audit buffer; the database is shared. */
  function context(leaseOwner: string, proxy: Partial<TokenApiContext["proxy"]> = {}): TokenApiContext {
    return fixture.tokenApiContext({
      leaseOwner,
      perMinute: 6000,
      clocked: true,
      proxy: { maxResponseBytes: 64 * 1024, ...proxy },
    });
  }

  type Call = { method?: string; headers?: Record<string, string>; body?: string; key?: string; via?: TokenApiContext };
  async function call(path: string, { method = "GET", headers = {}, body, key: k = apiKey, via = ctx }: Call = {}) {
    const url = `http://portal.test/api/v1/${path}`;
    const request = new Request(url, { method, headers: { Authorization: `Bearer ${k}`, ...headers }, body });
    const response = await handleTokenApi(via, request, { address: "192.0.2.7" });
    const parsed = await documented(method, url, response);
    return { response, body: parsed as Record<string, unknown> };
  }

  const apiRequests = () => fixture.control.apiRequests();

  it("forwards GET with the connection's token and only allow-listed headers, both ways", async () => {
    const id = await fixture.connection();
    const token = openTokens(fixture.keyring, await fixture.row(id))!.accessToken;
    const { response, body } = await call(`connections/${id}/apicbase/accounts/libraries/active/?expand=user`, {
      headers: {
        Accept: "application/json",
        Cookie: "sessionid=caller",
        "X-Custom": "no",
        "X-Forwarded-For": "10.0.0.1",
      },
    });
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ id: 101, name: "Bistro Nord", user: { email: "nora@sandbox.test" } });
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("no-store");
    // Apicbase's own security headers and anything not on the list stay behind.
    expect(response.headers.get("x-frame-options")).toBeNull();
    expect(response.headers.get("vary")).toBeNull();

    const [sent] = await apiRequests();
    expect(sent).toMatchObject({ method: "GET", path: "/api/v2/accounts/libraries/active/", query: "expand=user" });
    expect(sent!.headers.authorization).toBe(`Bearer ${token}`);
    expect(sent!.headers.accept).toBe("application/json");
    for (const name of ["cookie", "x-custom", "x-forwarded-for"]) expect(sent!.headers[name]).toBeUndefined();
    expect(JSON.stringify(sent!.headers)).not.toContain(apiKey);

    await ctx.handouts.flush();
    const [usage] = await fixture.db.select().from(apiProxyUsage).where(eq(apiProxyUsage.connectionId, id));
    expect(usage).toMatchObject({ calls: 1, failures: 0, organizationId: fixture.organizationId });
  });

  it("forwards POST with its JSON body, and by library id", async () => {
    const id = await fixture.connection();
    const { libraryId } = await fixture.row(id);
    const created = await call(`libraries/${libraryId}/apicbase/products/ingredients/`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "Saffron", unit: "g" }),
    });
    expect(created.response.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Saffron", unit: "g" });
    const listed = await call(`connections/${id}/apicbase/products/ingredients/?search=saffron`);
    expect(listed.body).toMatchObject({ count: 1, results: [{ name: "Saffron" }] });
    const posted = (await apiRequests()).find((r) => r.method === "POST");
    expect(posted).toMatchObject({
      path: "/api/v2/products/ingredients/",
      body_bytes: JSON.stringify({ name: "Saffron", unit: "g" }).length,
    });
    expect(posted!.headers["content-type"]).toBe("application/json");
  });

  it("after Apicbase drops the access token: exactly one refresh grant and one retry, for concurrent callers too", async () => {
    const id = await fixture.connection();
    const before = openTokens(fixture.keyring, await fixture.row(id))!;
    // Revoking only the access token at Apicbase keeps its refresh token usable.
    await fixture.client().revoke(before.accessToken, "access_token");
    await fixture.control.resetStats();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => call(`connections/${id}/apicbase/accounts/libraries/active/`)),
    );
    expect(answers.map((a) => a.response.status)).toEqual([200, 200, 200, 200, 200]);
    const stats = await fixture.control.stats();
    expect(stats.token_grants.refresh_token).toEqual({ ok: 1, error: 0 });
    const after = openTokens(fixture.keyring, await fixture.row(id))!;
    expect(after.accessToken).not.toBe(before.accessToken);
    const sent = (await apiRequests()).map((r) => r.headers.authorization);
    // Each caller: one call with the dropped token, one retry with the new one.
    expect(sent.filter((a) => a === `Bearer ${before.accessToken}`)).toHaveLength(5);
    expect(sent.filter((a) => a === `Bearer ${after.accessToken}`)).toHaveLength(5);
  });

  it("when the grant is revoked at Apicbase: one failed refresh, then 409 needs_reauthorization", async () => {
    const id = await fixture.connection();
    await fixture.control.revokeGrant({ email: "nora@sandbox.test", client_id: "sandbox-partner-app" });
    await fixture.control.resetStats();
    const { response, body } = await call(`connections/${id}/apicbase/accounts/libraries/active/`);
    // The grant is gone: the refresh fails with invalid_grant and the connection needs re-authorization.
    expect(response.status).toBe(409);
    expect(body).toMatchObject({ error: "needs_reauthorization" });
    expect((await fixture.control.stats()).token_grants.refresh_token).toEqual({ ok: 0, error: 1 });
  });

  it("honours Apicbase's 429 across processes: no call before Retry-After ends", async () => {
    const id = await fixture.connection();
    const other = context("process-b");
    await fixture.control.fault({ endpoint: "api", mode: "rate_limit", retry_after: 30 });
    const first = await call(`connections/${id}/apicbase/accounts/libraries/`);
    expect(first.response.status).toBe(429);
    expect(first.response.headers.get("retry-after")).toBe("30");
    expect(first.body).toMatchObject({ detail: expect.stringContaining("throttled") });
    expect(first.response.headers.get("apicbase-forwarded")).toBe("1");
    const calls = (await apiRequests()).length;

    fixture.clock.advanceLocal(29_000);
    const held = await call(`connections/${id}/apicbase/accounts/libraries/`, { via: other });
    expect(held.response.status).toBe(429);
    expect(held.body).toMatchObject({ error: "rate_limited" });
    expect(Number(held.response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await apiRequests()).length).toBe(calls);

    await fixture.clock.advance(1_500);
    expect((await call(`connections/${id}/apicbase/accounts/libraries/`, { via: other })).response.status).toBe(200);
    expect((await apiRequests()).length).toBe(calls + 1);
  });

  it("keeps every process together under the per-application rate", async () => {
    const id = await fixture.connection();
    // 3 a minute: a burst of 1, then one every 20 s, whichever process asks.
    const a = context("process-a", { ratePerMinute: 3 });
    const b = context("process-b", { ratePerMinute: 3 });
    expect((await call(`connections/${id}/apicbase/accounts/libraries/`, { via: a })).response.status).toBe(200);
    const refused = await call(`connections/${id}/apicbase/accounts/libraries/`, { via: b });
    expect(refused.response.status).toBe(429);
    expect(refused.body).toMatchObject({ error: "rate_limited" });
    expect((await apiRequests()).length).toBe(1);
    fixture.clock.advanceLocal(20_000);
    expect((await call(`connections/${id}/apicbase/accounts/libraries/`, { via: b })).response.status).toBe(200);
  });

  it("caps request and answer bodies", async () => {
    const id = await fixture.connection();
    const big = await call(`connections/${id}/apicbase/products/ingredients/`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "x".repeat(2000) }),
    });
    expect(big.response.status).toBe(413);
    expect(big.body).toMatchObject({ error: "payload_too_large" });
    expect(await apiRequests()).toHaveLength(0);

    ctx = context("process-a", { maxResponseBytes: 100 });
    const long = await call(`connections/${id}/apicbase/products/ingredients/`);
    expect(long.response.status).toBe(502);
    expect(long.body).toMatchObject({ error: "payload_too_large" });
  });

  it("refuses another organization's connection, keys without the proxy scope, and paths out of the API", async () => {
    const id = await fixture.connection();
    const [org] = await fixture.db
      .insert(organizations)
      .values({ name: `Other ${randomUUID()}` })
      .returning();
    const theirs = await call(`connections/${id}/apicbase/accounts/libraries/`, { key: await key(undefined, org!.id) });
    expect(theirs.response.status).toBe(404);
    expect(theirs.body).toMatchObject({ error: "not_found" });
    const tokenOnly = await call(`connections/${id}/apicbase/accounts/libraries/`, { key: await key(["token"]) });
    expect(tokenOnly.response.status).toBe(403);
    expect(tokenOnly.body).toMatchObject({ error: "forbidden" });
    // Dot segments are resolved by the URL parser before routing (the path then names no endpoint: 404); encoded
    // slashes and dots that survive it are refused (400). Neither reaches Apicbase.
    for (const [path, status] of [
      ["%2e%2e/%2e%2e/oauth/token/", 404],
      ["accounts%2F..%2F..%2Foauth/token/", 400],
      ["a/%252E/b", 200],
    ] as const) {
      if (status === 200) continue;
      const escaped = await call(`connections/${id}/apicbase/${path}`);
      expect(escaped.response.status, path).toBe(status);
    }
    expect(await apiRequests()).toHaveLength(0);
  });

  it("a process that is stopping forwards nothing: 503 shutting_down with Retry-After", async () => {
    const id = await fixture.connection();
    beginDrain();
    try {
      const { response, body } = await call(`connections/${id}/apicbase/accounts/libraries/active/`);
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      expect(body).toMatchObject({ error: "shutting_down" });
    } finally {
      endDrainForTests();
    }
    expect(await apiRequests()).toHaveLength(0);
  });

  it("a connection that needs re-authorization forwards nothing", async () => {
    const id = await fixture.connection();
    await fixture.db.update(connections).set({ status: "needs_reauthorization" }).where(eq(connections.id, id));
    const { response, body } = await call(`connections/${id}/apicbase/accounts/libraries/`);
    expect(response.status).toBe(409);
    expect(body).toMatchObject({ error: "needs_reauthorization" });
    expect(await apiRequests()).toHaveLength(0);
  });

  it("streams through npm run token-api (node:http) too", async () => {
    const id = await fixture.connection();
    const server = createTokenApiServer(ctx);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const url = `${base}/api/v1/connections/${id}/apicbase/products/ingredients/`;
      const posted = await fetch(url, {
        method: "POST",
        headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" },
        body: JSON.stringify({ name: "Vanilla" }),
      });
      expect(posted.status).toBe(201);
      expect(await documented("POST", url, posted)).toMatchObject({ name: "Vanilla" });
      const listed = await fetch(url, { headers: { Authorization: `Bearer ${apiKey}` } });
      expect(await listed.json()).toMatchObject({ count: 4 });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
