import { describe, expect, it } from "vitest";
import { describeImportRefusal } from "@/lib/messages/token-import";
import { ApicbaseClient } from "@/lib/apicbase/client";
import { endpointsFromBase } from "@/lib/apicbase/config";
import { parseKeyring, generateKey } from "@/lib/crypto/secrets";
import { SANDBOX_DESK_APP, SANDBOX_PARTNER_APP } from "@/lib/sandbox";
import { suiteEmulator, type TestEmulator } from "@/testing/suite";
import {
  importTokensForm,
  inspectImport,
  openPendingImport,
  pendingFromFinding,
  sealPendingImport,
  IMPORT_TTL_MS,
} from "./token-import";

// The decision runs against the emulator over real HTTP: introspection, refresh and Get Active Library as Apicbase
// answers them, with tokens minted the way Apicbase's own UI hands them out.
let emulator: TestEmulator;
suiteEmulator((started) => (emulator = started));

const clientOf = (app: { clientId: string; clientSecret: string }) =>
  new ApicbaseClient({
    endpoints: endpointsFromBase(emulator.url),
    clientId: app.clientId,
    clientSecret: app.clientSecret,
  });
const partner = () => clientOf(SANDBOX_PARTNER_APP);
const desk = () => clientOf(SANDBOX_DESK_APP);
const deskAsOther = () => ({ name: "Desk app", introspect: (token: string) => desk().introspect(token) });

async function mint(clientId: string, extra: { expires_in?: number } = {}) {
  const pair = await emulator.control.mintTokens({
    email: "otto@sandbox.test",
    client_id: clientId,
    scope: "accounts library",
    ...extra,
  });
  return { accessToken: pair.access_token, refreshToken: pair.refresh_token! };
}

async function inspect(pair: { accessToken: string; refreshToken: string }, others = [deskAsOther()]) {
  return inspectImport({ client: partner(), applicationName: "Partner app", others, ...pair, now: new Date() });
}

/** Inspects the pair, expects a refusal with (at least) these fields, and returns it. */
async function refusal(pair: { accessToken: string; refreshToken: string }, expected: Record<string, unknown>) {
  const decision = await inspect(pair);
  expect(decision).toMatchObject({ ok: false, ...expected });
  if (decision.ok) throw new Error("unreachable");
  return decision;
}

describe("inspectImport", () => {
  it("accepts a pair generated in Apicbase's UI: library, user, scopes and expiry, without refreshing", async () => {
    const pair = await mint(SANDBOX_PARTNER_APP.clientId);
    const before = (await emulator.control.stats()).token_grants.refresh_token;
    const decision = await inspect(pair);
    expect(decision).toMatchObject({
      ok: true,
      finding: {
        refreshed: false,
        username: "otto@sandbox.test",
        library: { id: 103, name: "Brasserie Oost", user: { email: "otto@sandbox.test", firstName: "Otto" } },
        tokens: { accessToken: pair.accessToken, refreshToken: pair.refreshToken, scopes: ["accounts", "library"] },
      },
    });
    if (!decision.ok) throw new Error("unreachable");
    const days = (decision.finding.tokens.expiresAt.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    expect((await emulator.control.stats()).token_grants.refresh_token).toEqual(before);
  });

  it("refreshes an expired access token once when its refresh token still works", async () => {
    const pair = await mint(SANDBOX_PARTNER_APP.clientId, { expires_in: 1 });
    await emulator.control.advanceClock(5);
    const decision = await inspect(pair);
    expect(decision).toMatchObject({ ok: true, finding: { refreshed: true, library: { id: 103 } } });
    if (!decision.ok) throw new Error("unreachable");
    expect(decision.finding.tokens.accessToken).not.toBe(pair.accessToken);
    expect(decision.finding.tokens.refreshToken).not.toBe(pair.refreshToken);
    expect(await partner().introspect(decision.finding.tokens.accessToken)).toMatchObject({ active: true });
    expect((await emulator.control.stats()).token_grants.refresh_token).toEqual({ ok: 1, error: 0 });
  });

  it("names the application that issued another application's tokens, and refreshes nothing", async () => {
    const pair = await mint(SANDBOX_DESK_APP.clientId);
    const decision = await refusal(pair, {
      reason: "other_application",
      field: "applicationId",
      applicationName: "Partner app",
      issuedTo: "Desk app",
    });
    expect(describeImportRefusal(decision)).toContain("issued to the application “Desk app”, not “Partner app”");
    expect((await emulator.control.stats()).requests.token).toBe(0);
    // The pair still works for its own application.
    expect(await desk().introspect(pair.accessToken)).toMatchObject({ active: true });
  });

  it("refuses an inactive token whose refresh token is dead", async () => {
    const pair = await mint(SANDBOX_PARTNER_APP.clientId);
    await emulator.control.revokeGrant({ email: "otto@sandbox.test", client_id: SANDBOX_PARTNER_APP.clientId });
    const decision = await refusal(pair, {
      reason: "inactive",
      field: "accessToken",
      code: "invalid_grant",
      applicationName: "Partner app",
    });
    expect(describeImportRefusal(decision)).toMatch(/^Apicbase no longer accepts these tokens for “Partner app”/);
  });

  it("cannot tell another application's tokens apart when that application is not registered: inactive", async () => {
    const pair = await mint(SANDBOX_DESK_APP.clientId);
    expect(await inspect(pair, [])).toMatchObject({ ok: false, reason: "inactive" });
  });

  it("refuses tokens without the accounts scope before asking for the library", async () => {
    const pair = await emulator.control.mintTokens({
      email: "otto@sandbox.test",
      client_id: SANDBOX_PARTNER_APP.clientId,
      scope: "library",
    });
    const decision = await inspect({ accessToken: pair.access_token, refreshToken: pair.refresh_token! });
    expect(decision).toMatchObject({ ok: false, reason: "no_accounts_scope" });
    expect((await emulator.control.stats()).requests.api).toBe(0);
  });

  it("says so when Apicbase fails, storing nothing", async () => {
    const pair = await mint(SANDBOX_PARTNER_APP.clientId);
    await emulator.control.fault({ endpoint: "introspect", mode: "error_500" });
    expect(await inspect(pair)).toMatchObject({ ok: false, reason: "apicbase", code: "server_error" });
  });
});

describe("importTokensForm", () => {
  const base = {
    organizationId: "7c0e6f0e-8a4b-4c47-9a51-3f1f0a6f2b11",
    applicationId: "0d4c3b4e-5f8a-4f5e-8f8a-2b2a6c7d8e9f",
    accessToken: "  Bearer AbCdEfGhIjKlMnOpQrStUvWxYz0123 \n",
    refreshToken: "\tZyXwVuTsRqPoNmLkJiHgFeDcBa9876 ",
  };
  const errors = (input: Record<string, unknown>) => {
    const parsed = importTokensForm.safeParse(input);
    return parsed.success
      ? {}
      : Object.fromEntries(parsed.error.issues.map((issue) => [String(issue.path[0]), issue.message]));
  };

  it("trims what a copy adds: spaces, line breaks, a Bearer prefix", () => {
    expect(importTokensForm.parse(base)).toMatchObject({
      accessToken: "AbCdEfGhIjKlMnOpQrStUvWxYz0123",
      refreshToken: "ZyXwVuTsRqPoNmLkJiHgFeDcBa9876",
    });
  });

  it("refuses malformed input at the field that holds it", () => {
    expect(errors({ ...base, accessToken: "" })).toEqual({ accessToken: "Paste the access token." });
    expect(errors({ ...base, refreshToken: undefined })).toEqual({ refreshToken: "Paste the refresh token." });
    expect(errors({ ...base, accessToken: "two words in a row that are long" }).accessToken).toMatch(
      /no spaces or line breaks inside/,
    );
    expect(errors({ ...base, refreshToken: "short" }).refreshToken).toMatch(/too short/);
    expect(errors({ ...base, refreshToken: "x".repeat(600) }).refreshToken).toMatch(/far longer/);
    expect(errors({ ...base, accessToken: "tökenwithümlautsandmorechars" }).accessToken).toMatch(
      /letters, digits and punctuation only/,
    );
    expect(errors({ ...base, refreshToken: base.accessToken.replace(/^\s*Bearer /, "") })).toEqual({
      refreshToken: "This is the same token as the access token: paste the refresh token here.",
    });
    expect(errors({ ...base, applicationId: "" })).toEqual({
      applicationId: "Choose the application that issued the tokens.",
    });
  });
});

describe("the pending import cookie", () => {
  const keyring = parseKeyring(generateKey());
  const now = new Date("2026-11-28T10:00:00Z");
  const pending = pendingFromFinding(
    {
      tokens: {
        accessToken: "a".repeat(30),
        refreshToken: "r".repeat(30),
        tokenType: "bearer",
        expiresIn: 60,
        expiresAt: new Date(now.getTime() + 60_000),
        scopes: ["accounts"],
      },
      library: {
        id: 103,
        name: "Brasserie Oost",
        status: "active",
        user: { id: 4, email: "otto@sandbox.test", firstName: "Otto", lastName: "Oost" },
      },
      username: "otto@sandbox.test",
      refreshed: false,
    },
    {
      userId: "u1",
      organizationId: "7c0e6f0e-8a4b-4c47-9a51-3f1f0a6f2b11",
      applicationId: "0d4c3b4e-5f8a-4f5e-8f8a-2b2a6c7d8e9f",
      now,
    },
  );

  it("holds the pair encrypted, and only for 15 minutes", () => {
    const sealed = sealPendingImport(keyring, pending);
    expect(sealed).not.toContain("aaaaaaaaaa");
    expect(Buffer.from(sealed.split(".")[3] ?? "", "base64url").toString("latin1")).not.toContain("aaaaaaaaaa");
    expect(openPendingImport(keyring, sealed, now.getTime() + 1000)).toEqual(pending);
    expect(openPendingImport(keyring, sealed, now.getTime() + IMPORT_TTL_MS + 1)).toBeNull();
    expect(openPendingImport(parseKeyring(generateKey()), sealed, now.getTime())).toBeNull();
    expect(openPendingImport(keyring, `${sealed.slice(0, -2)}xx`, now.getTime())).toBeNull();
    expect(openPendingImport(keyring, undefined, now.getTime())).toBeNull();
  });
});
