/**
 * Nothing lost on a deploy: for each kind of process (the web server with the shutdown instrumentation.ts installs,
 * `npm run worker`, `npm run token-api`), refreshes already sent to Apicbase when SIGTERM arrives are stored, none
 * starts after it, the process exits within the stated bound (APICBASE_TIMEOUT_MS + 5 s), and a connection whose
 * claimed refresh was handed back is refreshed by another process at once.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { inArray } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clientForApplication } from "@/lib/connections/applications";
import { connections } from "@/lib/db/schema";
import { accessTokenResponse } from "@/lib/token-api/api";
import type { TokenApiContext } from "@/lib/token-api/types";
import { refreshConnection } from "./refresh";
import { Refresher } from "./refresher";
import { drainBoundMs, installGracefulShutdown } from "./shutdown";
import { beginDrain, endDrainForTests, isDraining } from "./single-flight";
import {
  createPostgresDatabase,
  findPostgres,
  lifecycleFixture,
  type LifecycleFixture,
} from "@/testing/lifecycle-fixtures";
import { useLifecycleFixture } from "@/testing/lifecycle-suite";
import { freePort } from "@/testing/ports";
import { fakeProcess, until } from "@/testing/process";

const root = path.resolve(__dirname, "../..");
const postgresAdminUrl = await findPostgres();
const HOUR = 3_600_000;
const BUDGET = { perMinute: 600, burst: 100 };

function apiContext(
  fixture: LifecycleFixture,
  leaseOwner: string,
  overrides: Partial<TokenApiContext> = {},
): TokenApiContext {
  return { ...fixture.tokenApiContext({ leaseOwner, perMinute: 6000 }), ...overrides };
}

/** What the test's rows look like now: token versions and lease holders. */
async function rows(fixture: LifecycleFixture, ids: string[]) {
  const found = await fixture.db
    .select({
      id: connections.id,
      version: connections.tokenVersion,
      leaseOwner: connections.leaseOwner,
      status: connections.status,
    })
    .from(connections)
    .where(inArray(connections.id, ids));
  return new Map(found.map((row) => [row.id, row]));
}

async function tokenCalls(fixture: LifecycleFixture): Promise<number> {
  return (await fixture.control.stats()).requests.token;
}

describe("web server shutdown (what instrumentation.ts installs)", () => {
  let fixture: LifecycleFixture;
  useLifecycleFixture((created) => (fixture = created));
  afterEach(() => endDrainForTests());

  it("stores the refreshes in flight, starts none after SIGTERM, hands back the rest at once, exits within the bound", async () => {
    const due = await fixture.insertConnections(6);
    await fixture.makeDue(due);
    const [clicked, apiNeedsRefresh] = await fixture.insertConnections(2);
    await fixture.db
      .update(connections)
      .set({ accessTokenExpiresAt: new Date(Date.now() + HOUR) })
      .where(inArray(connections.id, [apiNeedsRefresh!]));
    const apiKey = await fixture.apiKey({ name: "Sync" });
    // Three calls take 1 s at Apicbase (well under the 2 s timeout, also on a loaded machine): two background
    // refreshes and a "Refresh" click.
    await fixture.control.fault({ endpoint: "token", mode: "slow", delay_ms: 1000, count: 3 });
    await fixture.control.resetStats();

    const ctx = fixture.context({ leaseOwner: "web:A", actor: { system: "refresher" } });
    const refresher = new Refresher({ ctx, budget: BUDGET, concurrency: 2, pollMs: 50 });
    const proc = fakeProcess();
    const lines: string[] = [];
    const bound = drainBoundMs(fixture.settings.timeoutMs);
    installGracefulShutdown({
      stopRefresher: () => refresher.stop(),
      maxWaitMs: bound,
      log: (line) => lines.push(line),
      process: proc,
    });
    refresher.start();
    const click = refreshConnection(fixture.context({ leaseOwner: "web:A" }), {
      organizationId: fixture.organizationId,
      connectionId: clicked!,
    });
    await until("three calls at Apicbase", async () => (await tokenCalls(fixture)) === 3);

    const signalled = Date.now();
    proc.emit("SIGTERM");
    expect(isDraining()).toBe(true);
    // Asked after SIGTERM: a click is told to come back, the token API answers 503 with Retry-After; nothing is sent.
    const late = await refreshConnection(fixture.context({ leaseOwner: "web:A" }), {
      organizationId: fixture.organizationId,
      connectionId: due[5]!,
    });
    expect(late).toMatchObject({ ok: false, shuttingDown: true, retryAfterSeconds: 5 });
    const request = new Request(
      `http://portal.test/api/v1/connections/${apiNeedsRefresh}/access-token?min_valid_seconds=86400`,
      {
        headers: { Authorization: `Bearer ${apiKey}` },
      },
    );
    const refused = await accessTokenResponse(apiContext(fixture, "web:A"), request, apiNeedsRefresh!);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");

    await until("the process to exit", () => proc.exit.mock.calls.length > 0, bound + 5_000);
    const took = Date.now() - signalled;
    expect(proc.exit).toHaveBeenCalledWith(0);
    expect(took).toBeLessThan(bound);
    expect(lines.at(-1)).toMatch(/^stopped in \d+ ms$/);
    expect(await click).toMatchObject({ ok: true, refreshed: true });

    // The three calls under way were stored; not one more call went out.
    expect(await tokenCalls(fixture)).toBe(3);
    const after = await rows(fixture, [...due, clicked!, apiNeedsRefresh!]);
    expect(after.get(clicked!)).toMatchObject({ version: 2, leaseOwner: null });
    const refreshed = due.filter((id) => after.get(id)!.version === 2);
    const handedBack = due.filter((id) => after.get(id)!.version === 1);
    expect(refreshed).toHaveLength(2);
    expect(handedBack).toHaveLength(4);
    for (const id of [...due, apiNeedsRefresh!]) expect(after.get(id)!.leaseOwner).toBeNull();

    // Another process (not shutting down) takes the handed-back connections at once: no lease to wait out.
    endDrainForTests();
    const other = new Refresher({
      ctx: fixture.context({ leaseOwner: "worker:B", actor: { system: "worker" } }),
      budget: BUDGET,
      concurrency: 4,
    });
    expect(await other.tick()).toMatchObject({ claimed: 4, refreshed: 4, failed: 0 });
    const final = await rows(fixture, due);
    expect(due.every((id) => final.get(id)!.version === 2)).toBe(true);
  }, 60_000);

  it("a token API call that took the lease but had not called Apicbase gives it back; another process refreshes at once", async () => {
    const [id] = await fixture.insertConnections(1, { accessTokenExpiresAt: new Date(Date.now() + HOUR) });
    const apiKey = await fixture.apiKey({ name: "Sync" });
    await fixture.control.resetStats();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const stalled = apiContext(fixture, "api:A", {
      // The lease is taken; the client is still being built when SIGTERM arrives.
      clientFor: async (applicationId) => {
        await gate;
        return clientForApplication(fixture.db, fixture.keyring, fixture.settings, applicationId, fixture.clock.now);
      },
    });
    const get = () =>
      new Request(`http://portal.test/api/v1/connections/${id}/access-token?min_valid_seconds=86400`, {
        headers: { Authorization: `Bearer ${apiKey}` },
      });
    const first = accessTokenResponse(stalled, get(), id!);
    await until("the lease", async () => (await rows(fixture, [id!])).get(id!)!.leaseOwner === "api:A");
    beginDrain();
    open();
    const refused = await first;
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect((await rows(fixture, [id!])).get(id!)).toMatchObject({ leaseOwner: null, version: 1 });
    expect(await tokenCalls(fixture)).toBe(0);

    endDrainForTests();
    const started = Date.now();
    const served = await accessTokenResponse(apiContext(fixture, "api:B"), get(), id!);
    expect(served.status).toBe(200);
    expect(await served.json()).toMatchObject({ refreshed: true });
    // Not the 15 s a caller waits for a lease held elsewhere.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await tokenCalls(fixture)).toBe(1);
  }, 60_000);
});

type Spawned = { child: ChildProcess; output: () => string; exited: Promise<{ code: number | null; at: number }> };

function spawnScript(script: string, env: Record<string, string>): Spawned {
  const child = spawn(path.join(root, "node_modules", ".bin", "tsx"), [script], {
    cwd: root,
    env: { ...process.env, AUTH_APICBASE_ID: "", AUTH_APICBASE_SECRET: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const killer = setTimeout(() => child.kill("SIGKILL"), 90_000);
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(killer);
      resolve({ code, at: Date.now() });
    }),
  );
  return { child, output: () => output, exited };
}

describe.runIf(postgresAdminUrl)("npm run worker and npm run token-api on SIGTERM (PostgreSQL)", () => {
  let database: { url: string; drop(): Promise<void> };
  let fixture: LifecycleFixture;
  const TIMEOUT_MS = 4_000;
  beforeAll(async () => {
    database = await createPostgresDatabase(postgresAdminUrl!);
    fixture = await lifecycleFixture({ databaseUrl: database.url });
  }, 60_000);
  afterAll(async () => {
    await fixture?.close();
    await database?.drop();
  });
  beforeEach(async () => {
    await fixture.reset();
  });

  const processEnv = (caller: string) => ({
    DATABASE_URL: database.url,
    TOKEN_ENCRYPTION_KEY: fixture.encryptionKey,
    APICBASE_BASE_URL: `${fixture.emulator.url}/__as/${caller}/`,
    APICBASE_TIMEOUT_MS: String(TIMEOUT_MS),
  });

  it("npm run worker: stores the refreshes in flight, starts none after SIGTERM, hands back the rest, exits in time", async () => {
    const due = await fixture.insertConnections(6);
    await fixture.makeDue(due);
    await fixture.control.fault({ endpoint: "token", mode: "slow", delay_ms: 2000, count: 2 });
    await fixture.control.resetStats();
    const worker = spawnScript("scripts/worker.ts", {
      ...processEnv("worker-a"),
      REFRESH_CONCURRENCY: "2",
      REFRESH_BUDGET_PER_MINUTE: "90",
    });
    try {
      await until("two calls at Apicbase", async () => (await tokenCalls(fixture)) === 2, 60_000);
    } catch (error) {
      worker.child.kill("SIGKILL");
      throw new Error(`${String(error)}; the worker said: ${worker.output()}`);
    }
    const signalled = Date.now();
    worker.child.kill("SIGTERM");
    const { code, at } = await worker.exited;
    const took = at - signalled;
    expect(code, worker.output()).toBe(0);
    expect(took).toBeLessThan(drainBoundMs(TIMEOUT_MS));
    expect(worker.output()).toMatch(
      /SIGTERM: stopping; finishing 2 call\(s\) to Apicbase under way, starting no new call to Apicbase/,
    );
    expect(worker.output()).toMatch(/stopped in \d+ ms/);
    console.log(
      `npm run worker exited ${took} ms after SIGTERM with 2 refreshes under way (bound ${drainBoundMs(TIMEOUT_MS)} ms)`,
    );

    expect(await tokenCalls(fixture)).toBe(2);
    const log = await fixture.control.refreshLog();
    expect(log.map((entry) => entry.caller)).toEqual(["worker-a", "worker-a"]);
    const after = await rows(fixture, due);
    expect(due.filter((id) => after.get(id)!.version === 2)).toHaveLength(2);
    expect(due.filter((id) => after.get(id)!.version === 1)).toHaveLength(4);
    expect(due.every((id) => after.get(id)!.leaseOwner === null)).toBe(true);

    const other = new Refresher({
      ctx: fixture.context({ leaseOwner: "worker:B", actor: { system: "worker" } }),
      budget: BUDGET,
      concurrency: 4,
    });
    expect(await other.tick()).toMatchObject({ claimed: 4, refreshed: 4, failed: 0 });
  }, 120_000);

  it("npm run token-api: answers and stores the refreshes in flight, starts none after SIGTERM, exits in time", async () => {
    const ids = await fixture.insertConnections(3, { accessTokenExpiresAt: new Date(Date.now() + HOUR) });
    const apiKey = await fixture.apiKey({ name: "Sync" });
    await fixture.control.fault({ endpoint: "token", mode: "slow", delay_ms: 2000, count: 2 });
    await fixture.control.resetStats();
    const port = await freePort();
    const api = spawnScript("scripts/token-api.ts", { ...processEnv("api-a"), TOKEN_API_PORT: String(port) });
    try {
      await until("the token API to listen", () => api.output().includes("listening on port"), 60_000);
      const get = (id: string) =>
        fetch(`http://127.0.0.1:${port}/api/v1/connections/${id}/access-token?min_valid_seconds=86400`, {
          headers: { Authorization: `Bearer ${apiKey}` },
        });
      const answers = [get(ids[0]!), get(ids[1]!)];
      await until("two calls at Apicbase", async () => (await tokenCalls(fixture)) === 2);
      const signalled = Date.now();
      api.child.kill("SIGTERM");
      const responses = await Promise.all(answers);
      expect(responses.map((response) => response.status)).toEqual([200, 200]);
      for (const response of responses) expect(await response.json()).toMatchObject({ refreshed: true });
      // A caller arriving after SIGTERM on a kept-alive connection is told to come back (503, Retry-After); one
      // opening a new connection finds none (it goes to another instance). Either way nothing reaches Apicbase.
      const late = await get(ids[2]!).catch(() => null);
      if (late) {
        expect(late.status).toBe(503);
        expect(late.headers.get("retry-after")).toBe("5");
        expect(await late.json()).toMatchObject({ error: "refresh_failed" });
      }
      const { code, at } = await api.exited;
      const took = at - signalled;
      expect(code, api.output()).toBe(0);
      expect(took).toBeLessThan(drainBoundMs(TIMEOUT_MS));
      expect(api.output()).toMatch(/SIGTERM: stopping; finishing 2 call\(s\) to Apicbase under way/);
      console.log(
        `npm run token-api exited ${took} ms after SIGTERM with 2 refreshes under way (bound ${drainBoundMs(TIMEOUT_MS)} ms)`,
      );
    } finally {
      if (api.child.exitCode === null) api.child.kill("SIGKILL");
    }
    expect(await tokenCalls(fixture)).toBe(2);
    const after = await rows(fixture, ids);
    expect([after.get(ids[0]!)!.version, after.get(ids[1]!)!.version, after.get(ids[2]!)!.version]).toEqual([2, 2, 1]);
    expect(ids.every((id) => after.get(id)!.leaseOwner === null)).toBe(true);
  }, 120_000);
});
