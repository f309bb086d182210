import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SANDBOX_PARTNER_APP } from "../lib/sandbox";
import { STATE_FILE, StatePersister, restoreState, snapshotState } from "./persistence";
import { demoSeed } from "./seed";
import { EmulatorState } from "./state";
import { approveInBrowser, startEmulator, type TokenResponse } from "./testing";

const REDIRECT = "http://localhost:3000/api/connect/callback";
const NORA = { email: "nora@sandbox.test", password: "nora-demo" };

let dir: string;
const running: { close(): Promise<void> }[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "emulator-state-"));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function start(options: { inMemory?: boolean } = {}) {
  const emu = await startEmulator({ stateDir: options.inMemory ? undefined : dir, saveDebounceMs: 20 });
  running.push(emu);
  return emu;
}

async function stop(emu: { close(): Promise<void> }) {
  running.splice(running.indexOf(emu), 1);
  await emu.close();
}

async function form(url: string, fields: Record<string, string>) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as Record<string, unknown> | null };
}

/** A connection as the portal makes one: consent in the browser, then the code exchanged for a pair. */
async function connect(url: string): Promise<TokenResponse> {
  const authorizeUrl = `${url}/oauth/authorize/?${new URLSearchParams({
    response_type: "code",
    client_id: SANDBOX_PARTNER_APP.clientId,
    redirect_uri: REDIRECT,
    scope: "accounts library",
    state: "s1",
  })}`;
  const approval = await approveInBrowser({ authorizeUrl, ...NORA });
  if (approval.kind !== "redirect") throw new Error(`no redirect: ${JSON.stringify(approval)}`);
  const code = new URL(approval.location).searchParams.get("code") ?? "";
  const exchanged = await form(`${url}/oauth/token/`, {
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT,
    client_id: SANDBOX_PARTNER_APP.clientId,
    client_secret: SANDBOX_PARTNER_APP.clientSecret,
  });
  expect(exchanged.status).toBe(200);
  return exchanged.body as unknown as TokenResponse;
}

const refresh = (url: string, refreshToken: string) =>
  form(`${url}/oauth/token/`, {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    client_id: SANDBOX_PARTNER_APP.clientId,
    client_secret: SANDBOX_PARTNER_APP.clientSecret,
  });

const introspect = (url: string, token: string) =>
  form(`${url}/oauth/introspect/`, {
    token,
    client_id: SANDBOX_PARTNER_APP.clientId,
    client_secret: SANDBOX_PARTNER_APP.clientSecret,
  });

async function activeLibrary(url: string, accessToken: string): Promise<number> {
  const response = await fetch(`${url}/api/v2/accounts/libraries/active/`, {
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { id: number }).id;
}

describe("the emulator's state across restarts", () => {
  it("keeps tokens, their rotation, the clock, active libraries and its identity when stopped and started on the same dir", async () => {
    const first = await start();
    const pair = await connect(first.url);
    await first.control.advanceClock(3600);
    await first.control.setActiveLibrary(NORA.email, 102);
    const instance = await first.control.instance();
    await stop(first);

    const second = await start();
    expect(await second.control.instance()).toEqual(instance);
    expect((await second.control.clock()).offset_seconds).toBe(3600);
    expect((await introspect(second.url, pair.access_token)).body).toMatchObject({
      active: true,
      scope: "accounts library",
    });
    expect(await activeLibrary(second.url, pair.access_token)).toBe(102);

    // The refresh token still works once, and its rotation is saved too.
    const rotated = await refresh(second.url, pair.refresh_token);
    expect(rotated.status).toBe(200);
    await stop(second);

    const third = await start();
    expect((await refresh(third.url, pair.refresh_token)).body).toEqual({ error: "invalid_grant" });
    const next = rotated.body as unknown as TokenResponse;
    expect((await introspect(third.url, next.access_token)).body).toMatchObject({ active: true });
    expect((await refresh(third.url, next.refresh_token)).status).toBe(200);
  });

  it("writes the file atomically, readable only by its owner, and leaves no temporary file behind", async () => {
    const emu = await start();
    await connect(emu.url);
    await stop(emu);
    const file = path.join(dir, STATE_FILE);
    const saved = JSON.parse(readFileSync(file, "utf8")) as {
      format: string;
      refresh_tokens: unknown[];
      access_tokens: unknown[];
    };
    expect(saved.format).toBe("apicbase-emulator-state");
    expect(saved.refresh_tokens).toHaveLength(1);
    expect(saved.access_tokens).toHaveLength(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual([STATE_FILE]);
  });

  it("starts over from the seed, with a new identity, when the directory is deleted", async () => {
    const first = await start();
    const pair = await connect(first.url);
    const before = await first.control.instance();
    await stop(first);
    rmSync(dir, { recursive: true, force: true });

    const second = await start();
    const after = await second.control.instance();
    expect(after.instance_id).not.toBe(before.instance_id);
    expect(Date.parse(after.state_since)).toBeGreaterThanOrEqual(Date.parse(before.state_since));
    expect((await introspect(second.url, pair.access_token)).body).toEqual({ active: false });
    expect((await refresh(second.url, pair.refresh_token)).body).toEqual({ error: "invalid_grant" });
  });

  it("a reset is saved too: a restart after it does not bring the old grants back", async () => {
    const first = await start();
    const pair = await connect(first.url);
    const before = await first.control.instance();
    await first.control.reset();
    const reset = await first.control.instance();
    expect(reset.instance_id).not.toBe(before.instance_id);
    await stop(first);

    const second = await start();
    expect(await second.control.instance()).toEqual(reset);
    expect((await refresh(second.url, pair.refresh_token)).body).toEqual({ error: "invalid_grant" });
  });

  it("moves an unreadable file aside and starts from the seed", async () => {
    writeFileSync(path.join(dir, STATE_FILE), "{ not json");
    const emu = await start();
    const files = readdirSync(dir);
    expect(files.some((name) => name.startsWith(`${STATE_FILE}.unreadable-`))).toBe(true);
    expect((await emu.control.clock()).offset_seconds).toBe(0);
  });

  it("keeps nothing on disk without a state dir", async () => {
    const emu = await start({ inMemory: true });
    await connect(emu.url);
    await stop(emu);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("StatePersister", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("writes a burst of changes once, after the debounce, and nothing when nothing changed", () => {
    vi.useFakeTimers();
    const state = new EmulatorState(demoSeed("http://localhost:3000"));
    const persister = new StatePersister(state, dir, { debounceMs: 100 });
    expect(persister.load()).toEqual({ kind: "fresh" });
    for (let i = 0; i < 50; i++) {
      state.issueTokenPair(SANDBOX_PARTNER_APP.clientId, 3, ["accounts"]);
      persister.changed();
    }
    expect(persister.writes).toBe(0);
    expect(existsSync(persister.file)).toBe(false);
    vi.advanceTimersByTime(100);
    expect(persister.writes).toBe(1);
    persister.flush();
    expect(persister.writes).toBe(1);
    persister.changed();
    persister.close();
    expect(persister.writes).toBe(2);
    persister.changed();
    vi.advanceTimersByTime(1000);
    expect(persister.writes).toBe(2);
  });

  it("drops grants of users or applications the seed no longer has, and active libraries a user lost", () => {
    const state = new EmulatorState(demoSeed("http://localhost:3000"));
    state.issueTokenPair(SANDBOX_PARTNER_APP.clientId, 3, ["accounts"]);
    state.issueTokenPair("an-application-since-removed", 3, ["accounts"]);
    const saved = snapshotState(state);
    saved.active_libraries["nora@sandbox.test"] = 104;
    saved.active_libraries["otto@sandbox.test"] = 104;

    const restored = new EmulatorState(demoSeed("http://localhost:3000"));
    restoreState(restored, saved);
    expect([...restored.refreshTokens.values()].map((token) => token.clientId)).toEqual([SANDBOX_PARTNER_APP.clientId]);
    expect(restored.userByEmail("nora@sandbox.test")?.activeLibrary).toBe(101);
    expect(restored.userByEmail("otto@sandbox.test")?.activeLibrary).toBe(104);
    expect(restored.instanceId).toBe(state.instanceId);
  });
});
