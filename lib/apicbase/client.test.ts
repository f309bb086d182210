import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approveInBrowser, type EmulatorControl } from "@/emulator/testing";
import { SANDBOX_DESK_APP, SANDBOX_PARTNER_APP, SANDBOX_USERS } from "@/lib/sandbox";
import { suiteEmulator, type TestEmulator } from "@/testing/suite";
import { ApicbaseClient, OOB_REDIRECT_URI, type ApicbaseClientOptions } from "./client";
import { endpointsFromBase } from "./config";
import { ApicbaseError } from "./errors";

const REDIRECT = "http://localhost:3000/api/auth/callback/apicbase";
const nora = SANDBOX_USERS.find((u) => u.email.startsWith("nora"))!;
const otto = SANDBOX_USERS.find((u) => u.email.startsWith("otto"))!;

let emulator: TestEmulator;
let control: EmulatorControl;

suiteEmulator((started) => {
  emulator = started;
  control = started.control;
});

function client(overrides: Partial<ApicbaseClientOptions> = {}) {
  return new ApicbaseClient({
    endpoints: endpointsFromBase(emulator.url),
    clientId: SANDBOX_PARTNER_APP.clientId,
    clientSecret: SANDBOX_PARTNER_APP.clientSecret,
    timeoutMs: 3000,
    ...overrides,
  });
}

async function expectApicbaseError(
  promise: Promise<unknown> | (() => unknown),
  match: Partial<
    Pick<ApicbaseError, "code" | "oauthError" | "status" | "ambiguous" | "endpoint" | "retryAfterSeconds">
  >,
) {
  let caught: unknown;
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ApicbaseError);
  expect(caught).toMatchObject(match);
  return caught as ApicbaseError;
}

/** The whole browser round trip: authorize URL, login, consent, and the code from the redirect. */
async function authorize(c: ApicbaseClient, user = nora, scopes = ["accounts", "library"]) {
  const request = await c.createAuthorizationRequest({ redirectUri: REDIRECT, scopes });
  const result = await approveInBrowser({ authorizeUrl: request.url, email: user.email, password: user.password });
  if (result.kind !== "redirect") throw new Error(`expected a redirect, got ${result.kind}`);
  const { code } = c.parseAuthorizationResponse(result.location, request.state);
  return { request, code };
}

async function connect(c = client(), user = nora, scopes = ["accounts", "library"]) {
  const { request, code } = await authorize(c, user, scopes);
  return c.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: request.codeVerifier });
}

/** A client of the partner app and the pair it got through the whole flow as Nora. */
async function connected() {
  const c = client();
  return { c, tokens: await connect(c) };
}

describe("authorization request", () => {
  it("carries client, redirect URI, scopes, state and an S256 challenge of the verifier", async () => {
    const request = await client().createAuthorizationRequest({
      redirectUri: REDIRECT,
      scopes: ["accounts", "library"],
    });
    const url = new URL(request.url);
    expect(url.href.startsWith(`${emulator.url}/oauth/authorize/?`)).toBe(true);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: "code",
      client_id: SANDBOX_PARTNER_APP.clientId,
      redirect_uri: REDIRECT,
      scope: "accounts library",
      state: request.state,
      code_challenge_method: "S256",
    });
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(request.codeVerifier));
    expect(url.searchParams.get("code_challenge")).toBe(Buffer.from(digest).toString("base64url"));
    expect(request.state.length).toBeGreaterThanOrEqual(32);
  });
});

describe("code exchange", () => {
  it("turns an approved code into a 7-day token pair with the granted scopes", async () => {
    const before = Date.now();
    const tokens = await connect();
    expect(tokens.accessToken).toMatch(/^[A-Za-z0-9]{30}$/);
    expect(tokens.refreshToken).toMatch(/^[A-Za-z0-9]{30}$/);
    expect(tokens.expiresIn).toBe(604800);
    expect(tokens.scopes).toEqual(["accounts", "library"]);
    expect(tokens.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 604800_000);
  });

  it("works with HTTP Basic client authentication too", async () => {
    const tokens = await connect(client({ clientAuth: "client_secret_basic" }));
    expect(tokens.tokenType).toBe("bearer");
  });

  it("reports Cancel on the consent page as access_denied", async () => {
    const c = client();
    const request = await c.createAuthorizationRequest({ redirectUri: REDIRECT, scopes: ["accounts"] });
    const result = await approveInBrowser({
      authorizeUrl: request.url,
      email: nora.email,
      password: nora.password,
      allow: false,
    });
    expect(result.kind).toBe("redirect");
    if (result.kind !== "redirect") return;
    await expectApicbaseError(() => c.parseAuthorizationResponse(result.location, request.state), {
      code: "authorization_error",
      oauthError: "access_denied",
    });
  });

  it("reports an unknown scope as invalid_scope", async () => {
    const c = client();
    const request = await c.createAuthorizationRequest({ redirectUri: REDIRECT, scopes: ["accounts", "payroll"] });
    const result = await approveInBrowser({ authorizeUrl: request.url, email: nora.email, password: nora.password });
    if (result.kind !== "redirect") throw new Error("expected a redirect");
    await expectApicbaseError(() => c.parseAuthorizationResponse(result.location, request.state), {
      code: "authorization_error",
      oauthError: "invalid_scope",
    });
  });

  it("refuses a redirect whose state is not ours", async () => {
    const c = client();
    const { request } = await authorize(c);
    const forged = `${REDIRECT}?code=abc&state=${request.state}x`;
    await expectApicbaseError(() => c.parseAuthorizationResponse(forged, request.state), { code: "state_mismatch" });
  });

  it("refuses an expired code (61 s on the emulator clock) with invalid_grant", async () => {
    const c = client();
    const { request, code } = await authorize(c);
    await control.advanceClock(61);
    const error = await expectApicbaseError(
      c.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: request.codeVerifier }),
      { code: "oauth_error", oauthError: "invalid_grant", status: 400 },
    );
    expect(error.needsReauthorization).toBe(true);
    expect(error.ambiguous).toBe(false);
  });

  it("accepts a code at 59 s", async () => {
    const c = client();
    const { request, code } = await authorize(c);
    await control.advanceClock(59);
    await expect(
      c.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: request.codeVerifier }),
    ).resolves.toMatchObject({ tokenType: "bearer" });
  });

  it("refuses a code used twice, also when both arrive at the same moment", async () => {
    const c = client();
    const { request, code } = await authorize(c);
    const results = await Promise.allSettled([
      c.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: request.codeVerifier }),
      c.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: request.codeVerifier }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected");
    expect((rejected as PromiseRejectedResult).reason).toMatchObject({ oauthError: "invalid_grant" });
    await expectApicbaseError(c.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: request.codeVerifier }), {
      oauthError: "invalid_grant",
    });
  });

  it("refuses a wrong PKCE verifier (invalid_grant) and a missing one (invalid_request)", async () => {
    const c = client();
    const first = await authorize(c);
    await expectApicbaseError(
      c.exchangeCode({ code: first.code, redirectUri: REDIRECT, codeVerifier: "x".repeat(43) }),
      { oauthError: "invalid_grant" },
    );
    const second = await authorize(c);
    await expectApicbaseError(c.exchangeCode({ code: second.code, redirectUri: REDIRECT }), {
      oauthError: "invalid_request",
      status: 400,
    });
  });

  it("refuses a redirect URI that differs from the one authorized (invalid_request)", async () => {
    const c = client();
    const { request, code } = await authorize(c);
    await expectApicbaseError(
      c.exchangeCode({
        code,
        redirectUri: "http://localhost:3000/api/connect/callback",
        codeVerifier: request.codeVerifier,
      }),
      { oauthError: "invalid_request" },
    );
  });

  it("reports wrong application credentials as invalid_client (401), not as the connection's fault", async () => {
    const c = client();
    const { request, code } = await authorize(c);
    const wrong = client({ clientSecret: "not-the-secret" });
    const error = await expectApicbaseError(
      wrong.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: request.codeVerifier }),
      { oauthError: "invalid_client", status: 401 },
    );
    expect(error.isClientCredentialsError).toBe(true);
    expect(error.needsReauthorization).toBe(false);
  });

  it("exchanges an out-of-band code with redirect_uri=urn:ietf:wg:oauth:2.0:oob", async () => {
    const desk = client({ clientId: SANDBOX_DESK_APP.clientId, clientSecret: SANDBOX_DESK_APP.clientSecret });
    const request = await desk.createAuthorizationRequest({
      redirectUri: OOB_REDIRECT_URI,
      scopes: ["accounts", "library"],
      pkce: false,
    });
    const result = await approveInBrowser({ authorizeUrl: request.url, email: nora.email, password: nora.password });
    if (result.kind !== "oob") throw new Error(`expected the out-of-band page, got ${result.kind}`);
    const tokens = await desk.exchangeCode({ code: result.code, redirectUri: OOB_REDIRECT_URI });
    expect(tokens.scopes).toEqual(["accounts", "library"]);
  });
});

describe("refresh", () => {
  it("rotates: new pair, the old refresh token refused, the old access token inactive at once", async () => {
    const c = client();
    const first = await connect(c);
    const second = await c.refresh({ refreshToken: first.refreshToken });
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.scopes).toEqual(["accounts", "library"]);
    await expectApicbaseError(c.refresh({ refreshToken: first.refreshToken }), {
      oauthError: "invalid_grant",
      status: 400,
    });
    expect(await c.introspect(first.accessToken)).toEqual({ active: false });
    expect(await c.introspect(second.accessToken)).toMatchObject({ active: true });
  });

  it("gives exactly one winner when two refreshes race with the same refresh token", async () => {
    const c = client();
    const first = await connect(c);
    const results = await Promise.allSettled([
      c.refresh({ refreshToken: first.refreshToken }),
      c.refresh({ refreshToken: first.refreshToken }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("still refreshes after the access token expired; refresh tokens never expire", async () => {
    const c = client();
    const first = await connect(c);
    await control.advanceClock(30 * 24 * 3600);
    expect(await c.introspect(first.accessToken)).toEqual({ active: false });
    const second = await c.refresh({ refreshToken: first.refreshToken });
    expect(await c.introspect(second.accessToken)).toMatchObject({ active: true });
  });

  it("refuses another application's refresh token with invalid_grant", async () => {
    const tokens = await connect();
    const desk = client({ clientId: SANDBOX_DESK_APP.clientId, clientSecret: SANDBOX_DESK_APP.clientSecret });
    await expectApicbaseError(desk.refresh({ refreshToken: tokens.refreshToken }), { oauthError: "invalid_grant" });
  });

  it("narrows scopes on request and refuses widening them (invalid_scope)", async () => {
    const { c, tokens } = await connected();
    const narrowed = await c.refresh({ refreshToken: tokens.refreshToken, scopes: ["accounts"] });
    expect(narrowed.scopes).toEqual(["accounts"]);
    await expectApicbaseError(c.refresh({ refreshToken: narrowed.refreshToken, scopes: ["accounts", "sales"] }), {
      oauthError: "invalid_scope",
    });
  });

  it("refuses a refresh token after the library owner removed the app", async () => {
    const { c, tokens } = await connected();
    await control.revokeGrant({ email: nora.email, client_id: SANDBOX_PARTNER_APP.clientId });
    const error = await expectApicbaseError(c.refresh({ refreshToken: tokens.refreshToken }), {
      oauthError: "invalid_grant",
    });
    expect(error.needsReauthorization).toBe(true);
  });
});

describe("introspection", () => {
  it("describes an active token: scopes, server-side expiry, client and user", async () => {
    const { c, tokens } = await connected();
    const info = await c.introspect(tokens.accessToken);
    expect(info).toMatchObject({
      active: true,
      scopes: ["accounts", "library"],
      clientId: SANDBOX_PARTNER_APP.clientId,
      username: nora.email,
    });
    if (info.active) expect(Math.abs(info.expiresAt!.getTime() - tokens.expiresAt.getTime())).toBeLessThan(5000);
  });

  it("answers inactive for expired, revoked, unknown, refresh and other applications' tokens", async () => {
    const c = client();
    const desk = client({ clientId: SANDBOX_DESK_APP.clientId, clientSecret: SANDBOX_DESK_APP.clientSecret });
    const tokens = await connect(c);
    expect(await c.introspect(tokens.refreshToken)).toEqual({ active: false });
    expect(await c.introspect("A".repeat(30))).toEqual({ active: false });
    expect(await desk.introspect(tokens.accessToken)).toEqual({ active: false });
    await control.advanceClock(7 * 24 * 3600 + 1);
    expect(await c.introspect(tokens.accessToken)).toEqual({ active: false });
    await control.resetClock();
    const fresh = await connect(c);
    await control.revokeGrant({ email: nora.email, client_id: SANDBOX_PARTNER_APP.clientId });
    expect(await c.introspect(fresh.accessToken)).toEqual({ active: false });
  });

  it("reports bad caller credentials (403, empty body) as the application's problem", async () => {
    const tokens = await connect();
    const error = await expectApicbaseError(client({ clientSecret: "wrong" }).introspect(tokens.accessToken), {
      code: "forbidden",
      status: 403,
      endpoint: "introspect",
    });
    expect(error.isClientCredentialsError).toBe(true);
  });
});

describe("revocation", () => {
  it("revoking the refresh token kills the pair", async () => {
    const { c, tokens } = await connected();
    expect(await c.revoke(tokens.refreshToken, "refresh_token")).toEqual({ outcome: "revoked" });
    expect(await c.introspect(tokens.accessToken)).toEqual({ active: false });
    await expectApicbaseError(c.refresh({ refreshToken: tokens.refreshToken }), { oauthError: "invalid_grant" });
    expect(await c.revoke("unknown-token", "access_token")).toEqual({ outcome: "revoked" });
  });

  it("says so when Apicbase has no revocation endpoint", async () => {
    const { c, tokens } = await connected();
    await control.settings({ revocation_endpoint: false });
    expect(await c.revoke(tokens.refreshToken, "refresh_token")).toEqual({ outcome: "unsupported", status: 404 });
  });
});

describe("Apicbase API", () => {
  it("reads the active library and its user, and follows a switch of the active library", async () => {
    const { c, tokens } = await connected();
    const active = await c.getActiveLibrary(tokens.accessToken);
    expect(active).toMatchObject({
      id: 101,
      name: "Bistro Nord",
      user: { email: nora.email, firstName: "Nora", lastName: "Nord" },
    });
    expect(active.user.id).toBeGreaterThan(0);
    await control.setActiveLibrary(nora.email, 102);
    expect(await c.getActiveLibrary(tokens.accessToken)).toMatchObject({ id: 102, name: "Café Zuid" });
  });

  it("lists the user's libraries", async () => {
    const c = client();
    const tokens = await connect(c, otto);
    const libraries = await c.getLibraries(tokens.accessToken);
    expect(libraries.count).toBe(2);
    expect(libraries.results.map((l) => l.id).sort()).toEqual([103, 104]);
  });

  it("maps 401 (dead token) and 403 (no accounts scope)", async () => {
    const c = client();
    const minted = await control.mintTokens({
      email: nora.email,
      client_id: SANDBOX_PARTNER_APP.clientId,
      scope: "library",
    });
    await expectApicbaseError(c.getActiveLibrary(minted.access_token), {
      code: "forbidden",
      status: 403,
      endpoint: "api",
    });
    await expectApicbaseError(c.getActiveLibrary("B".repeat(30)), { code: "unauthorized", status: 401 });
  });

  it("honours 429 and Retry-After: fails fast until the wait is over, without calling Apicbase", async () => {
    let now = Date.now();
    const c = client({ now: () => now });
    await control.settings({ rate_limit_per_minute: 3 });
    const tokens = await connect(c);
    for (let i = 0; i < 3; i++) await c.getActiveLibrary(tokens.accessToken);
    const error = await expectApicbaseError(c.getActiveLibrary(tokens.accessToken), {
      code: "rate_limited",
      status: 429,
    });
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
    expect(error.retryable).toBe(true);
    const calls = (await control.stats()).requests.api;
    await expectApicbaseError(c.getActiveLibrary(tokens.accessToken), { code: "rate_limited" });
    expect((await control.stats()).requests.api).toBe(calls);
    now += (error.retryAfterSeconds! + 1) * 1000;
    await control.advanceClock(61);
    await expect(c.getActiveLibrary(tokens.accessToken)).resolves.toMatchObject({ id: 101 });
  });
});

describe("failures", () => {
  it("a 500 is a retryable server error, ambiguous on the token endpoint", async () => {
    const { c, tokens } = await connected();
    await control.fault({ endpoint: "token", mode: "error_500" });
    const error = await expectApicbaseError(c.refresh({ refreshToken: tokens.refreshToken }), {
      code: "server_error",
      status: 500,
      ambiguous: true,
    });
    expect(error.retryable).toBe(true);
  });

  it("a malformed answer is an error that changes nothing on our side", async () => {
    const { c, tokens } = await connected();
    await control.fault({ endpoint: "token", mode: "malformed" });
    await expectApicbaseError(c.refresh({ refreshToken: tokens.refreshToken }), {
      code: "invalid_response",
      ambiguous: true,
    });
    await control.fault({ endpoint: "api", mode: "malformed" });
    await expectApicbaseError(c.getActiveLibrary(tokens.accessToken), { code: "invalid_response" });
  });

  it("a timeout is ambiguous; when the request never reached Apicbase the old refresh token still works", async () => {
    const c = client({ timeoutMs: 300 });
    const tokens = await connect(c);
    await control.fault({ endpoint: "token", mode: "slow", delay_ms: 1000 });
    await expectApicbaseError(c.refresh({ refreshToken: tokens.refreshToken }), { code: "timeout", ambiguous: true });
    await new Promise((r) => setTimeout(r, 1000));
    await expect(c.refresh({ refreshToken: tokens.refreshToken })).resolves.toMatchObject({ tokenType: "bearer" });
  });

  it("a response lost after the rotation committed: ambiguous, and the old refresh token is dead", async () => {
    const { c, tokens } = await connected();
    await control.fault({ endpoint: "token", mode: "drop_after_commit" });
    await expectApicbaseError(c.refresh({ refreshToken: tokens.refreshToken }), { code: "network", ambiguous: true });
    expect(await c.introspect(tokens.accessToken)).toEqual({ active: false });
    await expectApicbaseError(c.refresh({ refreshToken: tokens.refreshToken }), { oauthError: "invalid_grant" });
  });

  it("a token-endpoint 429 is rate_limited with the server's Retry-After", async () => {
    const { c, tokens } = await connected();
    await control.fault({ endpoint: "token", mode: "rate_limit", retry_after: 7 });
    await expectApicbaseError(c.refresh({ refreshToken: tokens.refreshToken }), {
      code: "rate_limited",
      status: 429,
      retryAfterSeconds: 7,
    });
  });

  it("an unreachable server is a network error that cannot have changed anything", async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const c = client({ endpoints: endpointsFromBase(`http://127.0.0.1:${port}`) });
    await expectApicbaseError(c.refresh({ refreshToken: "abc" }), { code: "network", ambiguous: false });
  });
});

describe("responses that break the spec", () => {
  let server: Server;
  let base: string;
  let handler: (path: string) => { status: number; headers?: Record<string, string>; body?: string; hang?: boolean };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const answer = handler(req.url ?? "/");
      if (answer.hang) return;
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      res.end(answer.body ?? "");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const fake = (timeoutMs = 2000) => client({ endpoints: endpointsFromBase(base), timeoutMs });

  it("does not follow redirects", async () => {
    handler = () => ({ status: 302, headers: { location: "https://elsewhere.example/oauth/token/" } });
    await expectApicbaseError(fake().refresh({ refreshToken: "abc" }), { code: "invalid_response", status: 302 });
  });

  it("refuses an oversized answer", async () => {
    handler = () => ({
      status: 200,
      body: JSON.stringify({
        access_token: "a",
        token_type: "Bearer",
        expires_in: 1,
        refresh_token: "b",
        pad: "x".repeat(200_000),
      }),
    });
    await expectApicbaseError(fake().refresh({ refreshToken: "abc" }), { code: "invalid_response" });
  });

  it("refuses a token answer with a negative expiry or a missing access token", async () => {
    handler = () => ({
      status: 200,
      body: JSON.stringify({ token_type: "Bearer", expires_in: 604800, refresh_token: "b" }),
    });
    await expectApicbaseError(fake().refresh({ refreshToken: "abc" }), { code: "invalid_response", ambiguous: true });
    handler = () => ({
      status: 200,
      body: JSON.stringify({ access_token: "a", token_type: "Bearer", expires_in: -5, refresh_token: "b" }),
    });
    await expectApicbaseError(fake().refresh({ refreshToken: "abc" }), { code: "invalid_response" });
  });

  it("refuses an introspection answer of the wrong shape and an active token of another client", async () => {
    handler = () => ({ status: 200, body: JSON.stringify({ active: "yes" }) });
    await expectApicbaseError(fake().introspect("abc"), { code: "invalid_response" });
    handler = () => ({
      status: 200,
      body: JSON.stringify({ active: true, scope: "accounts", exp: 2_000_000_000, client_id: "someone-else" }),
    });
    expect(await fake().introspect("abc")).toEqual({ active: false });
  });

  it("accepts what RFC 6749 allows: BEARER in capitals, no expires_in, no scope, no new refresh token", async () => {
    handler = () => ({ status: 200, body: JSON.stringify({ access_token: "new-access", token_type: "BEARER" }) });
    const tokens = await fake().refresh({ refreshToken: "old-refresh", currentScopes: ["accounts", "library"] });
    expect(tokens).toMatchObject({
      accessToken: "new-access",
      refreshToken: "old-refresh",
      expiresIn: 3600,
      scopes: ["accounts", "library"],
    });
  });

  it("clamps an absurd expires_in instead of trusting it", async () => {
    handler = () => ({
      status: 200,
      body: JSON.stringify({ access_token: "a", refresh_token: "b", token_type: "Bearer", expires_in: 1e9 }),
    });
    expect((await fake().refresh({ refreshToken: "x" })).expiresIn).toBe(30 * 24 * 3600);
  });

  it("treats a 200 carrying an OAuth error body as that error", async () => {
    handler = () => ({ status: 200, body: JSON.stringify({ error: "invalid_grant" }) });
    await expectApicbaseError(fake().refresh({ refreshToken: "x" }), {
      code: "oauth_error",
      oauthError: "invalid_grant",
    });
  });

  it("refuses a code exchange that yields no refresh token", async () => {
    handler = () => ({
      status: 200,
      body: JSON.stringify({ access_token: "a", token_type: "Bearer", expires_in: 604800 }),
    });
    await expectApicbaseError(fake().exchangeCode({ code: "abc", redirectUri: REDIRECT }), {
      code: "invalid_response",
    });
  });

  it("reads introspection without exp or scope as active with unknown expiry, and 401 {active:false} as inactive", async () => {
    handler = () => ({ status: 200, body: JSON.stringify({ active: true }) });
    expect(await fake().introspect("abc")).toMatchObject({ active: true, expiresAt: undefined, scopes: undefined });
    handler = () => ({ status: 401, body: JSON.stringify({ active: false }) });
    expect(await fake().introspect("abc")).toEqual({ active: false });
  });

  it("reads Retry-After as an HTTP date and clamps it", async () => {
    handler = () => ({
      status: 429,
      headers: { "retry-after": new Date(Date.now() + 20_000).toUTCString() },
      body: "{}",
    });
    const error = await expectApicbaseError(fake().getActiveLibrary("abc"), { code: "rate_limited" });
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(18);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(21);
    handler = () => ({ status: 429, headers: { "retry-after": "999999" }, body: "{}" });
    await expectApicbaseError(fake().introspect("abc"), { code: "rate_limited", retryAfterSeconds: 3600 });
  });

  it("refuses an active library without a numeric id", async () => {
    handler = () => ({
      status: 200,
      body: JSON.stringify({ id: "101", name: "x", status: "active", user: { id: 1, email: "a@b" } }),
    });
    await expectApicbaseError(fake().getActiveLibrary("abc"), { code: "invalid_response", endpoint: "api" });
  });

  it("times out a server that never answers", async () => {
    handler = () => ({ status: 200, hang: true });
    await expectApicbaseError(fake(300).introspect("abc"), { code: "timeout", ambiguous: true });
  });

  it("never puts a token in an error message", async () => {
    handler = () => ({ status: 400, body: JSON.stringify({ error: "invalid_grant" }) });
    const secret = "SuperSecretRefreshToken123";
    const error = await expectApicbaseError(fake().refresh({ refreshToken: secret }), { oauthError: "invalid_grant" });
    expect(`${error.message} ${error.description ?? ""} ${JSON.stringify(error)}`).not.toContain(secret);
  });
});
