import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SANDBOX_DESK_APP, SANDBOX_PARTNER_APP } from "../lib/sandbox";
import { demoSeed, loadSeed, SeedError, type Seed } from "./seed";
import { approveInBrowser, BrowserSession, parseForms, startEmulator, type TokenResponse } from "./testing";
import { freePort } from "@/testing/ports";
import { suiteEmulator, type TestEmulator } from "@/testing/suite";

const PARTNER = {
  id: SANDBOX_PARTNER_APP.clientId,
  secret: SANDBOX_PARTNER_APP.clientSecret,
  redirect: "http://localhost:3000/api/auth/callback/apicbase",
  connect: "http://localhost:3000/api/connect/callback",
};
const DESK = {
  id: SANDBOX_DESK_APP.clientId,
  secret: SANDBOX_DESK_APP.clientSecret,
  redirect: "urn:ietf:wg:oauth:2.0:oob",
};
const NORA = { email: "nora@sandbox.test", password: "nora-demo" };
const OTTO = { email: "otto@sandbox.test", password: "otto-demo" };

let emu: TestEmulator;
suiteEmulator((started) => (emu = started));

type Client = { id: string; secret: string };

function authorizeUrl(params: Record<string, string>): string {
  return `${emu.url}/oauth/authorize/?${new URLSearchParams(params)}`;
}

function partnerAuthorize(extra: Record<string, string> = {}): string {
  return authorizeUrl({
    response_type: "code",
    client_id: PARTNER.id,
    redirect_uri: PARTNER.redirect,
    scope: "accounts library",
    state: "st-1",
    ...extra,
  });
}

async function approve(url: string, user = NORA, allow = true) {
  return approveInBrowser({ authorizeUrl: url, email: user.email, password: user.password, allow });
}

async function getCode(extra: Record<string, string> = {}, user = NORA): Promise<string> {
  const result = await approve(partnerAuthorize(extra), user);
  if (result.kind !== "redirect") throw new Error(`expected a redirect, got ${JSON.stringify(result)}`);
  const code = new URL(result.location).searchParams.get("code");
  if (!code) throw new Error(`no code in ${result.location}`);
  return code;
}

async function post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${emu.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return { status: response.status, headers: response.headers, text, body };
}

const creds = (client: Client = PARTNER) => ({ client_id: client.id, client_secret: client.secret });

function exchange(code: string, extra: Record<string, string> = {}, client: Client = PARTNER) {
  return post("/oauth/token/", {
    grant_type: "authorization_code",
    code,
    redirect_uri: PARTNER.redirect,
    ...creds(client),
    ...extra,
  });
}

function refresh(refreshToken: string, extra: Record<string, string> = {}, client: Client = PARTNER) {
  return post("/oauth/token/", {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    ...creds(client),
    ...extra,
  });
}

async function connect(extra: Record<string, string> = {}, user = NORA): Promise<TokenResponse> {
  const result = await exchange(await getCode(extra, user));
  expect(result.status).toBe(200);
  return result.body as unknown as TokenResponse;
}

function introspect(token: string, client: Client = PARTNER) {
  return post("/oauth/introspect/", { token, ...creds(client) });
}

async function isActive(token: string, client: Client = PARTNER): Promise<boolean> {
  return (await introspect(token, client)).body.active === true;
}

function revoke(token: string, extra: Record<string, string> = {}, client: Client = PARTNER) {
  return post("/oauth/revoke_token/", { token, ...creds(client), ...extra });
}

async function api(path: string, token?: string) {
  const response = await fetch(`${emu.url}/api/v2/accounts/${path}`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** A browser session logged in to the emulator as Nora. */
async function signedInBrowser(): Promise<BrowserSession> {
  const browser = new BrowserSession();
  await browser.request(`${emu.url}/accounts/login/`, {
    method: "POST",
    form: [
      ["username", NORA.email],
      ["password", NORA.password],
    ],
  });
  return browser;
}

const basic = (client: Client) => `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString("base64")}`;
const s256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");

describe("login and consent", () => {
  it("sends a visitor who is not logged in to the login page with the full authorize path in next", async () => {
    const url = partnerAuthorize();
    const response = await fetch(url, { redirect: "manual" });
    expect(response.status).toBe(302);
    const location = response.headers.get("location") ?? "";
    expect(location.startsWith("/accounts/login/?next=/oauth/authorize/%3F")).toBe(true);
    expect(new URL(location, emu.url).searchParams.get("next")).toBe(url.slice(emu.url.length));
  });

  it("shows a Django login form, refuses a wrong password and logs in with the right one", async () => {
    const browser = new BrowserSession();
    const page = await browser.request(`${emu.url}/accounts/login/?next=/oauth/authorize/%3Fx%3D1`);
    expect(page.status).toBe(200);
    expect(browser.cookies.get("csrftoken")).toMatch(/^[A-Za-z0-9]{32}$/);
    const [form] = parseForms(await page.text());
    expect(form?.action).toBe("/accounts/login/");
    expect(form?.fields.map(([name]) => name)).toEqual(["csrfmiddlewaretoken", "username", "password", "next"]);
    const hiddenFields = (form?.fields ?? []).filter(([name]) => name === "csrfmiddlewaretoken" || name === "next");

    const wrong = await browser.request(`${emu.url}/accounts/login/`, {
      method: "POST",
      form: [...hiddenFields, ["username", NORA.email], ["password", "nope"]],
    });
    expect(wrong.status).toBe(200);
    expect(await wrong.text()).toContain(
      "Please enter a correct username and password. Note that both fields may be case-sensitive.",
    );
    expect(browser.cookies.has("sessionid")).toBe(false);

    const right = await browser.request(`${emu.url}/accounts/login/`, {
      method: "POST",
      form: [...hiddenFields, ["username", NORA.email], ["password", NORA.password]],
    });
    expect(right.status).toBe(302);
    expect(right.headers.get("location")).toBe("/oauth/authorize/?x=1");
    expect(right.headers.getSetCookie().find((c) => c.startsWith("sessionid="))).toMatch(/HttpOnly/);
  });

  it("refuses a login whose CSRF field contradicts the cookie, and never redirects off-site after login", async () => {
    const browser = new BrowserSession();
    await browser.request(`${emu.url}/accounts/login/`);
    const forged = await browser.request(`${emu.url}/accounts/login/`, {
      method: "POST",
      form: [
        ["csrfmiddlewaretoken", "x".repeat(32)],
        ["username", NORA.email],
        ["password", NORA.password],
      ],
    });
    expect(forged.status).toBe(403);
    const offsite = await browser.request(`${emu.url}/accounts/login/`, {
      method: "POST",
      form: [
        ["username", NORA.email],
        ["password", NORA.password],
        ["next", "https://evil.example/"],
      ],
    });
    expect(offsite.headers.get("location")).toBe("/");
  });

  it("shows a consent page naming the app and scopes with DOT's hidden fields", async () => {
    const browser = await signedInBrowser();
    const page = await browser.request(partnerAuthorize({ code_challenge: "abc", code_challenge_method: "S256" }));
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain("Authorize Partner app (sandbox)?");
    const form = parseForms(html).find((f) => f.method === "post");
    expect(form?.action).toBeNull();
    expect(Object.fromEntries(form?.fields ?? [])).toMatchObject({
      redirect_uri: PARTNER.redirect,
      scope: "accounts library",
      nonce: "",
      client_id: PARTNER.id,
      state: "st-1",
      response_type: "code",
      code_challenge: "abc",
      code_challenge_method: "S256",
    });
    expect(html).toContain('<input type="submit" class="btn btn-large btn-primary" name="allow" value="Authorize"/>');
  });

  it("says on the consent page as whom the approval is given, with a log-out that comes back to the same approval", async () => {
    const browser = await signedInBrowser();
    const authorize = partnerAuthorize();
    const html = await (await browser.request(authorize)).text();
    expect(html).toContain(
      "You approve as <strong>Nora Nord</strong> (nora@sandbox.test), for your active library <strong>Bistro Nord</strong> (101).",
    );
    const logout = /<a href="([^"]+)">Log out<\/a>/.exec(html)?.[1]?.replace(/&amp;/g, "&");
    expect(logout).toBeDefined();
    const out = await browser.request(new URL(logout!, emu.url).href);
    expect(out.status).toBe(302);
    expect(new URL(out.headers.get("location")!, emu.url).href).toBe(authorize);
    // Logged out: the same approval now asks for a login first.
    const again = await browser.request(authorize);
    expect(again.status).toBe(302);
    expect(again.headers.get("location")).toMatch(/^\/accounts\/login\/\?next=/);
  });

  it("serves a favicon, linked from its pages", async () => {
    const icon = await fetch(`${emu.url}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toBe("image/svg+xml");
    expect(await icon.text()).toMatch(/^<svg /);
    expect(await (await fetch(`${emu.url}/accounts/login/`)).text()).toContain(
      '<link rel="icon" href="/favicon.svg" type="image/svg+xml">',
    );
  });

  it("escapes user input on the consent page", async () => {
    const browser = await signedInBrowser();
    const html = await (await browser.request(partnerAuthorize({ state: `"><script>alert(1)</script>` }))).text();
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("&quot;&gt;&lt;script&gt;");
  });

  it("redirects with a 30-character code and the state on Authorize", async () => {
    const result = await approve(partnerAuthorize({ state: "a b/c" }));
    expect(result.kind).toBe("redirect");
    if (result.kind !== "redirect") return;
    expect(result.location).toMatch(
      /^http:\/\/localhost:3000\/api\/auth\/callback\/apicbase\?code=[A-Za-z0-9]{30}&state=a\+b%2Fc$/,
    );
  });

  it("redirects with access_denied on Cancel", async () => {
    const result = await approve(partnerAuthorize(), NORA, false);
    expect(result).toEqual({ kind: "redirect", location: `${PARTNER.redirect}?error=access_denied&state=st-1` });
  });

  it("redirects unknown or disallowed scopes and bad response types with the error", async () => {
    expect(await approve(partnerAuthorize({ scope: "accounts bogus" }))).toEqual({
      kind: "redirect",
      location: `${PARTNER.redirect}?error=invalid_scope&state=st-1`,
    });
    expect(await approve(partnerAuthorize({ response_type: "foo" }))).toEqual({
      kind: "redirect",
      location: `${PARTNER.redirect}?error=unsupported_response_type&state=st-1`,
    });
    expect(await approve(partnerAuthorize({ response_type: "token" }))).toEqual({
      kind: "redirect",
      location: `${PARTNER.redirect}?error=unauthorized_client&state=st-1`,
    });
    const missing = authorizeUrl({ client_id: PARTNER.id, redirect_uri: PARTNER.redirect });
    expect(await approve(missing)).toEqual({
      kind: "redirect",
      location: `${PARTNER.redirect}?error=invalid_request&error_description=Missing+response_type+parameter.`,
    });
    expect(await approve(partnerAuthorize({ code_challenge: "x", code_challenge_method: "S512" }))).toEqual({
      kind: "redirect",
      location: `${PARTNER.redirect}?error=invalid_request&error_description=Transform+algorithm+not+supported.&state=st-1`,
    });
    const deskSales = authorizeUrl({ response_type: "code", client_id: DESK.id, scope: "accounts sales" });
    const deskResult = await approve(deskSales);
    expect(deskResult.kind).toBe("error");
    if (deskResult.kind === "error") expect(deskResult.html).toContain("Error: invalid_scope");
  });

  it("shows a 400 page, never a redirect, for an unknown client or a bad redirect URI", async () => {
    const cases: [Record<string, string>, string][] = [
      [{ client_id: "nope" }, "Invalid client_id parameter value."],
      [{ client_id: "" }, "Missing client_id parameter."],
      [{ redirect_uri: "http://localhost:3001/api/auth/callback/apicbase" }, "Mismatching redirect URI."],
      [{ redirect_uri: "http://localhost:3000/api/auth/callback/other" }, "Mismatching redirect URI."],
      [{ redirect_uri: "https://localhost:3000/api/auth/callback/apicbase" }, "Mismatching redirect URI."],
      [{ redirect_uri: "/api/auth/callback/apicbase" }, "Invalid redirect URI."],
    ];
    for (const [params, description] of cases) {
      const result = await approve(partnerAuthorize(params));
      expect(result.kind, description).toBe("error");
      if (result.kind !== "error") continue;
      expect(result.status).toBe(400);
      expect(result.html).toContain("<h2>Error: invalid_request</h2>");
      expect(result.html).toContain(`<p>${description}</p>`);
    }
    const noRedirect = authorizeUrl({ response_type: "code", client_id: PARTNER.id });
    const result = await approve(noRedirect);
    expect(result.kind === "error" && result.html.includes("Missing redirect URI.")).toBe(true);
    const duplicate = `${partnerAuthorize()}&state=again`;
    const dup = await approve(duplicate);
    expect(dup.kind === "error" && dup.status === 400 && dup.html.includes("Duplicate state parameter.")).toBe(true);
  });

  it("accepts a redirect URI with extra query parameters and keeps them", async () => {
    const result = await approve(partnerAuthorize({ redirect_uri: `${PARTNER.redirect}?tenant=7` }));
    expect(result.kind).toBe("redirect");
    if (result.kind !== "redirect") return;
    const location = new URL(result.location);
    expect(location.searchParams.get("tenant")).toBe("7");
    const code = location.searchParams.get("code") ?? "";
    // The token request must repeat the URI string exactly.
    expect((await exchange(code)).body).toEqual({
      error: "invalid_request",
      error_description: "Mismatching redirect URI.",
    });
    expect((await exchange(code, { redirect_uri: `${PARTNER.redirect}?tenant=7` })).status).toBe(200);
  });

  it("shows the code on the out-of-band page, and the code exchanges with redirect_uri=oob", async () => {
    const result = await approve(
      authorizeUrl({ response_type: "code", client_id: DESK.id, scope: "accounts library" }),
    );
    expect(result.kind).toBe("oob");
    if (result.kind !== "oob") return;
    expect(result.code).toMatch(/^[A-Za-z0-9]{30}$/);
    const tokens = await post("/oauth/token/", {
      grant_type: "authorization_code",
      code: result.code,
      redirect_uri: DESK.redirect,
      ...creds(DESK),
    });
    expect(tokens.status).toBe(200);
    expect(tokens.body.scope).toBe("accounts library");
  });

  it("shows an error page, not a code, when the out-of-band approval is cancelled", async () => {
    const result = await approve(authorizeUrl({ response_type: "code", client_id: DESK.id }), NORA, false);
    expect(result.kind).toBe("error");
    if (result.kind === "error") expect(result.html).toContain("<h2>Error: access_denied</h2>");
  });

  it("skips the consent page for approval_prompt=auto once the user has granted these scopes", async () => {
    const browser = await signedInBrowser();
    expect((await browser.request(partnerAuthorize({ approval_prompt: "auto" }))).status).toBe(200);
    await connect({ scope: "accounts library" });
    const skipped = await browser.request(partnerAuthorize({ approval_prompt: "auto", scope: "accounts" }));
    expect(skipped.status).toBe(302);
    expect(skipped.headers.get("location")).toMatch(/\?code=[A-Za-z0-9]{30}&state=st-1$/);
    expect((await browser.request(partnerAuthorize({ approval_prompt: "auto", scope: "accounts sales" }))).status).toBe(
      200,
    );
  });

  it("ends the session on logout", async () => {
    const browser = await signedInBrowser();
    expect((await browser.request(partnerAuthorize())).status).toBe(200);
    await browser.request(`${emu.url}/accounts/logout/`);
    const after = await browser.request(partnerAuthorize());
    expect(after.status).toBe(302);
    expect(after.headers.get("location")).toMatch(/^\/accounts\/login\//);
  });
});

describe("token endpoint", () => {
  it("issues a token pair in DOT's exact format", async () => {
    const response = await exchange(await getCode());
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("pragma")).toBe("no-cache");
    expect(response.text).toMatch(
      /^\{"access_token": "[A-Za-z0-9]{30}", "expires_in": 604800, "token_type": "Bearer", "scope": "accounts library", "refresh_token": "[A-Za-z0-9]{30}"\}$/,
    );
  });

  it("answers invalid_grant for an unknown, used, expired or other client's code", async () => {
    expect((await exchange("x".repeat(30))).body).toEqual({ error: "invalid_grant" });

    const used = await getCode();
    expect((await exchange(used)).status).toBe(200);
    const reuse = await exchange(used);
    expect(reuse.status).toBe(400);
    expect(reuse.text).toBe('{"error": "invalid_grant"}');

    const young = await getCode();
    await emu.control.advanceClock(59);
    expect((await exchange(young)).status).toBe(200);

    const old = await getCode();
    await emu.control.advanceClock(61);
    expect((await exchange(old)).body).toEqual({ error: "invalid_grant" });

    const foreign = await getCode();
    expect((await exchange(foreign, { redirect_uri: PARTNER.redirect }, DESK)).body).toEqual({
      error: "invalid_grant",
    });
  });

  it("answers 401 invalid_client for bad, missing or unknown client credentials", async () => {
    const code = await getCode();
    const attempts: Record<string, string>[] = [
      { client_id: PARTNER.id, client_secret: "wrong" },
      { client_id: PARTNER.id },
      {},
      { client_id: "nope", client_secret: "x" },
    ];
    for (const form of attempts) {
      const response = await post("/oauth/token/", {
        grant_type: "authorization_code",
        code,
        redirect_uri: PARTNER.redirect,
        ...form,
      });
      expect(response.status).toBe(401);
      expect(response.text).toBe('{"error": "invalid_client"}');
      expect(response.headers.get("www-authenticate")).toBe('Bearer error="invalid_client"');
    }
    // Nothing was consumed by the failed attempts.
    expect((await exchange(code)).status).toBe(200);
  });

  it("answers invalid_request for a missing code, missing refresh token or mismatching redirect URI", async () => {
    const missingCode = await post("/oauth/token/", {
      grant_type: "authorization_code",
      redirect_uri: PARTNER.redirect,
      ...creds(),
    });
    expect(missingCode.status).toBe(400);
    expect(missingCode.text).toBe('{"error": "invalid_request", "error_description": "Missing code parameter."}');
    const missingRefresh = await post("/oauth/token/", { grant_type: "refresh_token", ...creds() });
    expect(missingRefresh.body).toEqual({
      error: "invalid_request",
      error_description: "Missing refresh token parameter.",
    });
    const code = await getCode();
    expect((await exchange(code, { redirect_uri: PARTNER.connect })).body).toEqual({
      error: "invalid_request",
      error_description: "Mismatching redirect URI.",
    });
    // The partner app registers two URIs, so there is no default to fall back on.
    const withoutUri = await post("/oauth/token/", { grant_type: "authorization_code", code, ...creds() });
    expect(withoutUri.body).toEqual({ error: "invalid_request", error_description: "Missing redirect URI." });
  });

  it("answers unsupported_grant_type for a missing or unknown grant type and for a JSON body", async () => {
    expect((await post("/oauth/token/", { code: "x", ...creds() })).body).toEqual({ error: "unsupported_grant_type" });
    expect((await post("/oauth/token/", { grant_type: "magic", ...creds() })).body).toEqual({
      error: "unsupported_grant_type",
    });
    const code = await getCode();
    const asJson = await fetch(`${emu.url}/oauth/token/`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ grant_type: "authorization_code", code, redirect_uri: PARTNER.redirect, ...creds() }),
    });
    expect(asJson.status).toBe(400);
    expect(await asJson.json()).toEqual({ error: "unsupported_grant_type" });
    expect((await post("/oauth/token/", { grant_type: "client_credentials", ...creds() })).body).toEqual({
      error: "unauthorized_client",
    });
  });

  it("reads multipart form bodies as Django does", async () => {
    const form = new FormData();
    for (const [k, v] of Object.entries({
      grant_type: "authorization_code",
      code: await getCode(),
      redirect_uri: PARTNER.redirect,
      ...creds(),
    }))
      form.append(k, v);
    expect((await fetch(`${emu.url}/oauth/token/`, { method: "POST", body: form })).status).toBe(200);
  });

  it("accepts HTTP Basic client authentication", async () => {
    const code = await getCode();
    const response = await post(
      "/oauth/token/",
      { grant_type: "authorization_code", code, redirect_uri: PARTNER.redirect },
      { Authorization: basic(PARTNER) },
    );
    expect(response.status).toBe(200);
  });

  it("answers 405 to GET and refuses parameters in the URL", async () => {
    expect((await fetch(`${emu.url}/oauth/token/`)).status).toBe(405);
    const response = await fetch(`${emu.url}/oauth/token/?client_secret=x`, { method: "POST" });
    expect(await response.json()).toEqual({
      error: "invalid_request",
      error_description: "URL query parameters are not allowed",
    });
  });
});

describe("PKCE", () => {
  it("accepts S256 and plain verifiers", async () => {
    const verifier = randomBytes(32).toString("base64url");
    const s = await getCode({ code_challenge: s256(verifier), code_challenge_method: "S256" });
    expect((await exchange(s, { code_verifier: verifier })).status).toBe(200);
    const plain = await getCode({ code_challenge: verifier, code_challenge_method: "plain" });
    expect((await exchange(plain, { code_verifier: verifier })).status).toBe(200);
    // Without a method the challenge is plain (oauthlib's default).
    const implicitPlain = await getCode({ code_challenge: verifier });
    expect((await exchange(implicitPlain, { code_verifier: verifier })).status).toBe(200);
  });

  it("refuses a wrong verifier with invalid_grant and a missing one with invalid_request", async () => {
    const verifier = randomBytes(32).toString("base64url");
    const code = await getCode({ code_challenge: s256(verifier), code_challenge_method: "S256" });
    expect((await exchange(code, { code_verifier: "wrong-verifier-wrong-verifier-wrong-verifier" })).body).toEqual({
      error: "invalid_grant",
    });
    expect((await exchange(code)).body).toEqual({
      error: "invalid_request",
      error_description: "Code verifier required.",
    });
    expect((await exchange(code, { code_verifier: verifier })).status).toBe(200);
  });

  it("is not required", async () => {
    expect((await exchange(await getCode(), { code_verifier: "ignored" })).status).toBe(200);
  });
});

describe("refresh", () => {
  it("rotates: a new pair, the old refresh token refused, the old access token dead at once", async () => {
    const first = await connect();
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    const next = second.body as unknown as TokenResponse;
    expect(next.refresh_token).not.toBe(first.refresh_token);
    expect(next.access_token).not.toBe(first.access_token);
    expect(next.expires_in).toBe(604800);
    expect(await isActive(first.access_token)).toBe(false);
    expect(await isActive(next.access_token)).toBe(true);
    expect((await refresh(first.refresh_token)).body).toEqual({ error: "invalid_grant" });
    expect((await api("libraries/active/", first.access_token)).status).toBe(401);
    expect((await api("libraries/active/", next.access_token)).status).toBe(200);
  });

  it("refreshes an expired access token; refresh tokens do not expire", async () => {
    const tokens = await connect();
    await emu.control.advanceClock(400 * 86_400);
    expect(await isActive(tokens.access_token)).toBe(false);
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });

  it("refuses unknown, revoked or another application's refresh tokens", async () => {
    const tokens = await connect();
    expect((await refresh("y".repeat(30))).body).toEqual({ error: "invalid_grant" });
    expect((await refresh(tokens.refresh_token, {}, DESK)).body).toEqual({ error: "invalid_grant" });
    expect((await refresh(tokens.refresh_token, { client_secret: "wrong" })).status).toBe(401);
    await revoke(tokens.refresh_token, { token_type_hint: "refresh_token" });
    expect((await refresh(tokens.refresh_token)).body).toEqual({ error: "invalid_grant" });
  });

  it("narrows the scope on request and refuses to widen it", async () => {
    const tokens = await connect({ scope: "accounts library" });
    const narrowed = await refresh(tokens.refresh_token, { scope: "accounts" });
    expect(narrowed.body.scope).toBe("accounts");
    const widened = await refresh(narrowed.body.refresh_token as string, { scope: "accounts library" });
    expect(widened.status).toBe(400);
    expect(widened.text).toBe('{"error": "invalid_scope"}');
    const other = await connect({ scope: "accounts" });
    expect((await refresh(other.refresh_token, { scope: "accounts sales" })).body).toEqual({ error: "invalid_scope" });
  });

  it("keeps the refresh token when rotation is switched off, but still replaces the access token", async () => {
    await emu.control.settings({ rotate_refresh_tokens: false });
    const tokens = await connect();
    const next = (await refresh(tokens.refresh_token)).body as unknown as TokenResponse;
    expect(next.refresh_token).toBe(tokens.refresh_token);
    expect(await isActive(tokens.access_token)).toBe(false);
    expect(await isActive(next.access_token)).toBe(true);
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });
});

describe("concurrency", () => {
  it("lets exactly one of two simultaneous exchanges of the same code succeed", async () => {
    const code = await getCode();
    const results = await Promise.all([exchange(code), exchange(code)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    expect(results.find((r) => r.status === 400)?.body).toEqual({ error: "invalid_grant" });
  });

  it("lets exactly one of several simultaneous refreshes with the same refresh token succeed", async () => {
    const tokens = await connect();
    const results = await Promise.all([1, 2, 3, 4].map(() => refresh(tokens.refresh_token)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.body.error === "invalid_grant")).toHaveLength(3);
  });
});

describe("introspection", () => {
  it("describes an active token of the calling client", async () => {
    const tokens = await connect();
    const before = Math.floor(Date.now() / 1000);
    const response = await introspect(tokens.access_token);
    expect(response.status).toBe(200);
    expect(response.text).toMatch(
      /^\{"active": true, "scope": "accounts library", "exp": \d+, "client_id": "sandbox-partner-app", "username": "nora@sandbox\.test"\}$/,
    );
    expect(Math.abs((response.body.exp as number) - (before + 604800))).toBeLessThanOrEqual(2);
    const viaBasic = await post(
      "/oauth/introspect/",
      { token: tokens.access_token },
      { Authorization: basic(PARTNER) },
    );
    expect(viaBasic.body.active).toBe(true);
    const viaGet = await fetch(`${emu.url}/oauth/introspect/?token=${tokens.access_token}`, {
      headers: { Authorization: basic(PARTNER) },
    });
    expect(((await viaGet.json()) as { active: boolean }).active).toBe(true);
  });

  it("answers active:false for expired, revoked, rotated, unknown, refresh, missing and other clients' tokens", async () => {
    const expired = await connect();
    const revoked = await connect();
    const rotated = await connect();
    await refresh(rotated.refresh_token);
    await revoke(revoked.access_token);
    const desk = await emu.control.mintTokens({ email: NORA.email, client_id: DESK.id, scope: "accounts" });
    for (const token of [
      revoked.access_token,
      rotated.access_token,
      "z".repeat(30),
      expired.refresh_token,
      desk.access_token,
    ]) {
      const response = await introspect(token);
      expect(response.text).toBe('{"active": false}');
    }
    expect((await post("/oauth/introspect/", creds())).body).toEqual({ active: false });
    expect(await isActive(desk.access_token, DESK)).toBe(true);
    await emu.control.advanceClock(604_800);
    expect(await isActive(expired.access_token)).toBe(false);
  });

  it("answers 403 with an empty body to bad caller credentials", async () => {
    const tokens = await connect();
    const attempts: Record<string, string>[] = [
      { client_id: PARTNER.id, client_secret: "wrong" },
      {},
      { client_id: "nope", client_secret: "x" },
    ];
    for (const form of attempts) {
      const response = await post("/oauth/introspect/", { token: tokens.access_token, ...form });
      expect(response.status).toBe(403);
      expect(response.text).toBe("");
    }
  });
});

describe("revocation", () => {
  it("revokes an access token; its refresh token keeps working", async () => {
    const tokens = await connect();
    const response = await revoke(tokens.access_token, { token_type_hint: "access_token" });
    expect(response.status).toBe(200);
    expect(response.text).toBe("");
    expect(await isActive(tokens.access_token)).toBe(false);
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });

  it("revokes a refresh token with or without the hint, and kills its access token", async () => {
    const hints: Record<string, string>[] = [{ token_type_hint: "refresh_token" }, {}];
    for (const hint of hints) {
      const tokens = await connect();
      expect((await revoke(tokens.refresh_token, hint)).status).toBe(200);
      expect(await isActive(tokens.access_token)).toBe(false);
      expect((await refresh(tokens.refresh_token)).body).toEqual({ error: "invalid_grant" });
    }
  });

  it("answers 200 for unknown tokens and leaves other clients' tokens alone", async () => {
    expect((await revoke("q".repeat(30))).status).toBe(200);
    const desk = await emu.control.mintTokens({ email: NORA.email, client_id: DESK.id, scope: "accounts" });
    expect((await revoke(desk.access_token)).status).toBe(200);
    expect(await isActive(desk.access_token, DESK)).toBe(true);
  });

  it("needs a token and client credentials", async () => {
    expect((await post("/oauth/revoke_token/", creds())).body).toEqual({
      error: "invalid_request",
      error_description: "Missing token parameter.",
    });
    const unauthenticated = await revoke("x", { client_secret: "wrong" });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.body).toEqual({ error: "invalid_client" });
  });

  it("answers 404 when the endpoint is switched off", async () => {
    const tokens = await connect();
    await emu.control.settings({ revocation_endpoint: false });
    expect((await revoke(tokens.access_token)).status).toBe(404);
    expect(await isActive(tokens.access_token)).toBe(true);
  });
});

describe("API", () => {
  it("returns the token user's current active library, following a switch", async () => {
    const tokens = await connect();
    const active = await api("libraries/active/", tokens.access_token);
    expect(active.status).toBe(200);
    expect(active.body).toEqual({
      id: 101,
      name: "Bistro Nord",
      status: "active",
      user: { id: 3, email: NORA.email, first_name: "Nora", last_name: "Nord" },
    });
    await emu.control.setActiveLibrary(NORA.email, 102);
    expect((await api("libraries/active/", tokens.access_token)).body).toMatchObject({ id: 102, name: "Café Zuid" });
  });

  it("lists the user's libraries", async () => {
    const tokens = await connect({}, OTTO);
    expect((await api("libraries/", tokens.access_token)).body).toEqual({
      count: 2,
      next: null,
      previous: null,
      results: [
        { id: 103, name: "Brasserie Oost", status: "active" },
        { id: 104, name: "Trattoria West", status: "active" },
      ],
    });
  });

  it("answers 401 without a valid token and 403 without the accounts scope", async () => {
    const missing = await api("libraries/active/");
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ detail: "Authentication credentials were not provided." });
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="api"');
    const unknown = await api("libraries/", "w".repeat(30));
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get("www-authenticate")).toMatch(/^Bearer realm="api",error="invalid_token"/);
    const tokens = await connect();
    await emu.control.advanceClock(604_800);
    expect((await api("libraries/", tokens.access_token)).status).toBe(401);

    const libraryOnly = await connect({ scope: "library" });
    const forbidden = await api("libraries/active/", libraryOnly.access_token);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual({ detail: "You do not have permission to perform this action." });
  });

  it("throttles an application after 100 requests a minute, with Retry-After, and recovers as the window moves", async () => {
    const tokens = await connect();
    const desk = await emu.control.mintTokens({ email: NORA.email, client_id: DESK.id, scope: "accounts" });
    for (let i = 0; i < 100; i++) expect((await api("libraries/", tokens.access_token)).status).toBe(200);
    const throttled = await api("libraries/", tokens.access_token);
    expect(throttled.status).toBe(429);
    const retryAfter = Number(throttled.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(59);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(throttled.body).toEqual({ detail: `Request was throttled. Expected available in ${retryAfter} seconds.` });
    // The limit is per application.
    expect((await api("libraries/", desk.access_token)).status).toBe(200);
    await emu.control.advanceClock(60);
    expect((await api("libraries/", tokens.access_token)).status).toBe(200);
  });

  it("has a configurable limit that 0 switches off", async () => {
    const tokens = await connect();
    await emu.control.settings({ rate_limit_per_minute: 2 });
    await api("libraries/", tokens.access_token);
    await api("libraries/", tokens.access_token);
    expect((await api("libraries/", tokens.access_token)).status).toBe(429);
    await emu.control.settings({ rate_limit_per_minute: 0 });
    expect((await api("libraries/", tokens.access_token)).status).toBe(200);
  });
});

describe("faults", () => {
  it("error_500 answers Django's error page and processes nothing", async () => {
    const code = await getCode();
    await emu.control.fault({ endpoint: "token", mode: "error_500" });
    const failed = await exchange(code);
    expect(failed.status).toBe(500);
    expect(failed.text).toContain("Server Error (500)");
    expect((await exchange(code)).status).toBe(200);
  });

  it("malformed answers 200 with a body that is not JSON and processes nothing", async () => {
    const tokens = await connect();
    await emu.control.fault({ endpoint: "token", mode: "malformed" });
    const response = await fetch(`${emu.url}/oauth/token/`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: tokens.refresh_token, ...creds() }),
    });
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow();
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });

  it("rate_limit answers 429 with Retry-After and processes nothing", async () => {
    const tokens = await connect();
    await emu.control.fault({ endpoint: "token", mode: "rate_limit", retry_after: 12 });
    const limited = await refresh(tokens.refresh_token);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("12");
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });

  it("slow delays the answer and then processes normally", async () => {
    const tokens = await connect();
    await emu.control.fault({ endpoint: "token", mode: "slow", delay_ms: 300 });
    const started = Date.now();
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("slow processes nothing when the client gives up first", async () => {
    const tokens = await connect();
    await emu.control.fault({ endpoint: "token", mode: "slow", delay_ms: 300 });
    const aborted = fetch(`${emu.url}/oauth/token/`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: tokens.refresh_token, ...creds() }),
      signal: AbortSignal.timeout(50),
    });
    await expect(aborted).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });

  it("drop_after_commit rotates the refresh token and then drops the connection", async () => {
    const tokens = await connect();
    await emu.control.resetStats();
    await emu.control.fault({ endpoint: "token", mode: "drop_after_commit" });
    await expect(refresh(tokens.refresh_token)).rejects.toThrow();
    expect((await refresh(tokens.refresh_token)).body).toEqual({ error: "invalid_grant" });
    expect(await isActive(tokens.access_token)).toBe(false);
    const stats = await emu.control.stats();
    expect(stats.token_grants.refresh_token).toEqual({ ok: 1, error: 1 });
  });

  it("logs every refresh_token grant with its caller, what it issued, and whether the answer was dropped", async () => {
    const tokens = await connect();
    await emu.control.fault({ endpoint: "token", mode: "drop_after_commit" });
    const tagged = (token: string) =>
      fetch(`${emu.url}/__as/worker-1/oauth/token/`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: token, ...creds() }).toString(),
      });
    await expect(tagged(tokens.refresh_token)).rejects.toThrow();
    const again = await tagged(tokens.refresh_token);
    expect(again.status).toBe(400);
    const log = await emu.control.refreshLog();
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({ caller: "worker-1", used: tokens.refresh_token, error: null, answer: "dropped" });
    expect(log[0]!.issued).toMatch(/^[A-Za-z0-9]{30}$/);
    expect(log[1]).toMatchObject({
      caller: "worker-1",
      used: tokens.refresh_token,
      issued: null,
      error: "invalid_grant",
      answer: "sent",
    });
    await emu.control.reset();
    expect(await emu.control.refreshLog()).toEqual([]);
  });

  it("can be down for a while: every endpoint fails, nothing is processed, then it answers again", async () => {
    const tokens = await connect();
    await emu.control.outage(30);
    expect((await refresh(tokens.refresh_token)).status).toBe(500);
    expect((await introspect(tokens.access_token)).status).toBe(500);
    await emu.control.outage(30, "reset");
    await expect(refresh(tokens.refresh_token)).rejects.toThrow();
    await emu.control.advanceClock(31);
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });

  it("applies to the next N calls of one endpoint only, and can be listed and cleared", async () => {
    const tokens = await connect();
    await emu.control.fault({ endpoint: "api", mode: "error_500", count: 2 });
    await emu.control.fault({ endpoint: "introspect", mode: "malformed" });
    const pending = (await (await fetch(`${emu.url}/__emulator/faults`)).json()) as { pending: unknown[] };
    expect(pending.pending).toHaveLength(2);
    expect(
      (
        await fetch(`${emu.url}/api/v2/accounts/libraries/`, {
          headers: { Authorization: `Bearer ${tokens.access_token}` },
        })
      ).status,
    ).toBe(500);
    expect(
      (
        await fetch(`${emu.url}/api/v2/accounts/libraries/`, {
          headers: { Authorization: `Bearer ${tokens.access_token}` },
        })
      ).status,
    ).toBe(500);
    expect((await api("libraries/", tokens.access_token)).status).toBe(200);
    await emu.control.clearFaults();
    expect(await isActive(tokens.access_token)).toBe(true);
  });

  it("can break the authorize page", async () => {
    await emu.control.fault({ endpoint: "authorize", mode: "error_500" });
    expect((await fetch(partnerAuthorize(), { redirect: "manual" })).status).toBe(500);
    expect((await fetch(partnerAuthorize(), { redirect: "manual" })).status).toBe(302);
  });
});

describe("controls", () => {
  it("mints a token pair as Apicbase's UI would", async () => {
    const minted = await emu.control.mintTokens({
      email: OTTO.email,
      client_id: PARTNER.id,
      scope: "accounts library",
      expires_in: 120,
    });
    expect(minted).toMatchObject({ expires_in: 120, token_type: "Bearer", scope: "accounts library" });
    expect((await api("libraries/active/", minted.access_token)).body).toMatchObject({ id: 103 });
    await emu.control.advanceClock(121);
    expect(await isActive(minted.access_token)).toBe(false);
    expect((await refresh(minted.refresh_token)).status).toBe(200);
    await expect(emu.control.mintTokens({ email: OTTO.email, client_id: DESK.id, scope: "sales" })).rejects.toThrow(
      /400/,
    );
    await expect(emu.control.mintTokens({ email: "nobody@x", client_id: DESK.id, scope: "accounts" })).rejects.toThrow(
      /404/,
    );
  });

  it("revokes everything an application holds for a user", async () => {
    const tokens = await connect();
    const pendingCode = await getCode();
    const otto = await connect({}, OTTO);
    const { revoked } = await emu.control.revokeGrant({ email: NORA.email, client_id: PARTNER.id });
    expect(revoked).toEqual({ access_tokens: 1, refresh_tokens: 1, codes: 1 });
    expect(await isActive(tokens.access_token)).toBe(false);
    expect((await refresh(tokens.refresh_token)).body).toEqual({ error: "invalid_grant" });
    expect((await exchange(pendingCode)).body).toEqual({ error: "invalid_grant" });
    expect(await isActive(otto.access_token)).toBe(true);
  });

  it("resets tokens, clock, active libraries, settings, faults and stats", async () => {
    const tokens = await connect();
    await emu.control.advanceClock(100);
    await emu.control.setActiveLibrary(NORA.email, 102);
    await emu.control.settings({ rate_limit_per_minute: 5 });
    await emu.control.fault({ endpoint: "api", mode: "error_500" });
    await emu.control.reset();
    expect(await isActive(tokens.access_token)).toBe(false);
    expect((await emu.control.clock()).offset_seconds).toBe(0);
    expect((await emu.control.settings()).rate_limit_per_minute).toBe(100);
    const fresh = await emu.control.mintTokens({ email: NORA.email, client_id: PARTNER.id, scope: "accounts" });
    expect((await api("libraries/active/", fresh.access_token)).body).toMatchObject({ id: 101 });
    expect((await emu.control.stats()).requests.api).toBe(1);
  });

  it("moves the clock and reports it", async () => {
    const before = await emu.control.clock();
    const after = await emu.control.advanceClock(3600);
    expect(after.offset_seconds).toBe(3600);
    expect(after.now - before.now).toBeGreaterThanOrEqual(3600);
    expect((await emu.control.resetClock()).offset_seconds).toBe(0);
  });

  it("changes lifetimes through settings", async () => {
    const settings = await emu.control.settings({ code_lifetime_seconds: 5, access_token_lifetime_seconds: 30 });
    expect(settings).toEqual({
      code_lifetime_seconds: 5,
      access_token_lifetime_seconds: 30,
      rotate_refresh_tokens: true,
      rate_limit_per_minute: 100,
      revocation_endpoint: true,
    });
    const code = await getCode();
    await emu.control.advanceClock(6);
    expect((await exchange(code)).body).toEqual({ error: "invalid_grant" });
    const tokens = await connect();
    expect(tokens.expires_in).toBe(30);
  });

  it("counts requests, grants and errors", async () => {
    const tokens = await connect();
    await refresh(tokens.refresh_token);
    await refresh(tokens.refresh_token);
    await api("libraries/");
    const stats = await emu.control.stats();
    expect(stats.token_grants).toEqual({ authorization_code: { ok: 1, error: 0 }, refresh_token: { ok: 1, error: 1 } });
    expect(stats.errors).toEqual({ invalid_grant: 1 });
    expect(stats.requests).toMatchObject({ token: 3, api: 1, introspect: 0, revoke: 0 });
    expect(stats.requests.authorize).toBeGreaterThanOrEqual(2);
    await emu.control.resetStats();
    expect((await emu.control.stats()).requests.total).toBe(0);
  });

  it("lists every code and token it issued, across rotation and reset, and the client secrets", async () => {
    const code = await getCode();
    const first = (await exchange(code)).body as { access_token: string; refresh_token: string };
    const rotated = await refresh(first.refresh_token);
    const minted = await emu.control.mintTokens({ email: NORA.email, client_id: PARTNER.id, scope: "accounts" });
    await emu.control.reset();
    const issued = await emu.control.issuedSecrets();
    const rotatedBody = rotated.body as { access_token: string; refresh_token: string };
    expect(issued.codes_and_tokens).toEqual(
      expect.arrayContaining([
        code,
        first.access_token,
        first.refresh_token,
        rotatedBody.access_token,
        rotatedBody.refresh_token,
        minted.access_token,
        minted.refresh_token,
      ]),
    );
    expect(issued.client_secrets).toContain(PARTNER.secret);
  });

  it("changes a user's username, keeping the user id, until a reset", async () => {
    const minted = await emu.control.mintTokens({ email: NORA.email, client_id: PARTNER.id, scope: "accounts" });
    const renamed = await emu.control.renameUser(NORA.email, "nora.new@sandbox.test");
    expect(renamed.email).toBe("nora.new@sandbox.test");
    expect((await introspect(minted.access_token)).body).toMatchObject({
      active: true,
      username: "nora.new@sandbox.test",
    });
    await expect(emu.control.renameUser(NORA.email, "x@sandbox.test")).rejects.toThrow(/404/);
    await expect(emu.control.renameUser("nora.new@sandbox.test", "otto@sandbox.test")).rejects.toThrow(/409/);
    await emu.control.reset();
    expect(
      (await emu.control.mintTokens({ email: NORA.email, client_id: PARTNER.id, scope: "accounts" })).access_token,
    ).toBeTruthy();
  });

  it("rejects bad control input with a message", async () => {
    const bad = await fetch(`${emu.url}/__emulator/faults`, {
      method: "POST",
      body: JSON.stringify({ endpoint: "token", mode: "explode" }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/mode/);
    await expect(emu.control.setActiveLibrary(NORA.email, 103)).rejects.toThrow(/400/);
    await expect(emu.control.setActiveLibrary("nobody@sandbox.test", 101)).rejects.toThrow(/404/);
    expect((await fetch(`${emu.url}/__emulator/clock`, { method: "POST", body: "{" })).status).toBe(400);
    expect((await fetch(`${emu.url}/__emulator/nothing`)).status).toBe(404);
  });
});

describe("routing", () => {
  it("serves an index page, 404s unknown paths and appends the slash like Django", async () => {
    expect(await (await fetch(`${emu.url}/`)).text()).toContain("Apicbase emulator");
    expect((await fetch(`${emu.url}/nothing/`)).status).toBe(404);
    const unslashed = await fetch(`${emu.url}/oauth/authorize?client_id=x`, { redirect: "manual" });
    expect(unslashed.status).toBe(301);
    expect(unslashed.headers.get("location")).toBe("/oauth/authorize/?client_id=x");
    expect((await fetch(`${emu.url}/oauth/token`, { method: "POST" })).status).toBe(404);
  });
});

const customSeed: Seed = {
  libraries: [{ id: 501, name: "Harbour Kitchen", status: "active" }],
  users: [
    { id: 77, email: "chef@harbour.test", password: "pw", first_name: "Chef", last_name: "Harbour", libraries: [501] },
  ],
  applications: [
    {
      name: "Only app",
      client_id: "only",
      client_secret: "only-secret",
      redirect_uris: ["https://partner.test/cb"],
      scopes: ["accounts"],
    },
  ],
};

describe("seed", () => {
  it("builds the demo seed from the sandbox constants", () => {
    const seed = demoSeed("http://portal.test:8080/");
    expect(seed.applications[0]?.redirect_uris).toEqual([
      "http://portal.test:8080/api/auth/callback/apicbase",
      "http://portal.test:8080/api/connect/callback",
    ]);
    expect(seed.applications[1]).toMatchObject({
      redirect_uris: ["urn:ietf:wg:oauth:2.0:oob"],
      scopes: ["accounts", "library"],
    });
  });

  it("loads a seed file and names the bad field of an invalid one", () => {
    const dir = mkdtempSync(join(tmpdir(), "emulator-seed-"));
    try {
      const good = join(dir, "good.json");
      writeFileSync(good, JSON.stringify(customSeed));
      expect(loadSeed(good).users[0]?.email).toBe("chef@harbour.test");
      const bad = join(dir, "bad.json");
      writeFileSync(bad, JSON.stringify({ ...customSeed, users: [{ ...customSeed.users[0], active_library: 999 }] }));
      expect(() => loadSeed(bad)).toThrow(SeedError);
      expect(() => loadSeed(bad)).toThrow(/users\[0\]\.active_library/);
      writeFileSync(
        bad,
        JSON.stringify({ ...customSeed, applications: [{ ...customSeed.applications[0], scopes: ["everything"] }] }),
      );
      expect(() => loadSeed(bad)).toThrow(/applications\[0\]\.scopes\[0\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs a custom seed end to end, with the default redirect URI of a single-URI app", async () => {
    const custom = await startEmulator({ seed: customSeed });
    try {
      const result = await approveInBrowser({
        authorizeUrl: `${custom.url}/oauth/authorize/?response_type=code&client_id=only&state=s`,
        email: "chef@harbour.test",
        password: "pw",
      });
      expect(result.kind).toBe("redirect");
      const code = result.kind === "redirect" ? (new URL(result.location).searchParams.get("code") ?? "") : "";
      const tokens = await fetch(`${custom.url}/oauth/token/`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code,
          client_id: "only",
          client_secret: "only-secret",
        }),
      });
      const { access_token } = (await tokens.json()) as TokenResponse;
      const active = await fetch(`${custom.url}/api/v2/accounts/libraries/active/`, {
        headers: { Authorization: `Bearer ${access_token}` },
      });
      expect(await active.json()).toEqual({
        id: 501,
        name: "Harbour Kitchen",
        status: "active",
        user: { id: 77, email: "chef@harbour.test", first_name: "Chef", last_name: "Harbour" },
      });
    } finally {
      await custom.close();
    }
  });
});

/** Runs `npm run emulator` in its own process group so the whole tree can be stopped. */
function runEmulator(env: Record<string, string>) {
  const child = spawn("npm", ["run", "--silent", "emulator"], {
    cwd: join(import.meta.dirname, ".."),
    env: { ...process.env, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const waitFor = async (pattern: RegExp, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(output)) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`emulator did not print ${pattern}: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return output;
  };
  const stop = async () => {
    if (child.exitCode === null && child.pid) process.kill(-child.pid, "SIGTERM");
    return exited;
  };
  return { waitFor, stop, exited, output: () => output };
}

describe("npm run emulator", () => {
  it("starts on EMULATOR_PORT with the EMULATOR_SEED file and stops on SIGTERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "emulator-run-"));
    const seedPath = join(dir, "seed.json");
    writeFileSync(seedPath, JSON.stringify(customSeed));
    const port = await freePort();
    const run = runEmulator({ EMULATOR_PORT: String(port), EMULATOR_SEED: seedPath });
    try {
      await run.waitFor(new RegExp(`Apicbase emulator listening on http://127\\.0\\.0\\.1:${port}`));
      const base = `http://127.0.0.1:${port}`;
      expect(await (await fetch(`${base}/`)).text()).toContain("Apicbase emulator");
      const minted = await fetch(`${base}/__emulator/tokens`, {
        method: "POST",
        body: JSON.stringify({ email: "chef@harbour.test", client_id: "only", scope: "accounts" }),
      });
      const { access_token } = (await minted.json()) as TokenResponse;
      const active = await fetch(`${base}/api/v2/accounts/libraries/active/`, {
        headers: { Authorization: `Bearer ${access_token}` },
      });
      expect(await active.json()).toMatchObject({ name: "Harbour Kitchen" });
    } finally {
      await run.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 1 with a message naming the bad field of an invalid seed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "emulator-bad-"));
    const seedPath = join(dir, "seed.json");
    writeFileSync(seedPath, JSON.stringify({ ...customSeed, users: [{ ...customSeed.users[0], libraries: [404] }] }));
    const run = runEmulator({ EMULATOR_PORT: String(await freePort()), EMULATOR_SEED: seedPath });
    try {
      expect(await run.exited).toBe(1);
      expect(run.output()).toMatch(/users\[0\]\.libraries\[0\]: unknown library 404/);
    } finally {
      await run.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
