/**
 * `npm run bench:chaos`: a bounded, reproducible chaos run of the token lifecycle engine on PostgreSQL. It starts the
 * emulator, seeds connections due for refresh, runs several refresher processes (`npm run worker`) and token API
 * processes (`npm run token-api`) with callers, injects Apicbase faults (slow, 500, drop-after-commit, malformed,
 * 429) and an outage, kills (-9) and stops (SIGTERM) processes at random and restarts them, then settles and
 * prints what happened to every rotation. It fails (exit code 1) unless these four are 0: connections lost without
 * an injected cause, refresh tokens redeemed twice, stored tokens that are not the latest the emulator issued, and
 * rotations lost to SIGTERM.
 *
 *   npm run bench:chaos                         # about 3 minutes
 *   npm run bench:chaos -- --connections 1500 --seconds 600 --refreshers 4 --token-apis 2
 *   npm run bench:chaos -- --quick              # about 1.5 minutes (what `npm test` runs)
 *
 * PostgreSQL: TEST_DATABASE_URL, else a local server on 127.0.0.1:5432 (a throwaway database is created and
 * dropped). Every process, the emulator and all traffic stay on 127.0.0.1; every loop is bounded in time.
 *
 * How a lost rotation is told apart: each process calls the emulator through its own `/__as/<name>/` prefix, and
 * the emulator logs every refresh_token grant (who asked, the refresh token presented, the one issued, whether the
 * answer was sent or dropped). Each connection's rotation chain is rebuilt from the seeded refresh token; only the
 * last rotation of a chain can be unstored, and who received its answer (a process killed with -9, a process
 * stopped with SIGTERM, a dropped answer, or nobody in particular) is its cause.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import type { RefreshLogEntry } from "../emulator/http";
import { EmulatorControl, type FaultSpec } from "../emulator/testing";
import { createApiKey } from "../lib/api-keys/store";
import { emulatorSettings, type ApicbaseSettings } from "../lib/apicbase/config";
import { ensureEnvironmentApplication } from "../lib/connections/applications";
import { openTokens } from "../lib/connections/tokens";
import { generateKey, parseKeyring } from "../lib/crypto/secrets";
import { openDatabase, type Database } from "../lib/db/client";
import { connections, organizations } from "../lib/db/schema";
import { drainBoundMs } from "../lib/lifecycle/shutdown";
import { seedDueConnections, spawnEmulator } from "./bench-support";
import { createPostgresDatabase, findPostgres, triedPostgresUrls } from "../testing/postgres";

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    connections: { type: "string" },
    seconds: { type: "string" },
    refreshers: { type: "string" },
    "token-apis": { type: "string" },
    callers: { type: "string" },
    "outage-seconds": { type: "string" },
    "settle-seconds": { type: "string" },
    seed: { type: "string" },
    json: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});

const preset = args.quick
  ? { connections: 60, seconds: 30, refreshers: 2, tokenApis: 2, callers: 4, outage: 6, settle: 60 }
  : { connections: 300, seconds: 100, refreshers: 4, tokenApis: 2, callers: 8, outage: 20, settle: 150 };

function option(name: string, fallback: number, min: number, max: number): number {
  const raw = args[name as keyof typeof args];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`[chaos] --${name} must be a whole number from ${min} to ${max}, got "${String(raw)}"`);
    process.exit(2);
  }
  return value;
}

const config = {
  connections: option("connections", preset.connections, 1, 20_000),
  seconds: option("seconds", preset.seconds, 5, 3_600),
  refreshers: option("refreshers", preset.refreshers, 1, 16),
  tokenApis: option("token-apis", preset.tokenApis, 1, 7),
  callers: option("callers", preset.callers, 0, 64),
  outage: option("outage-seconds", preset.outage, 0, 600),
  settle: option("settle-seconds", preset.settle, 10, 1_800),
  seed: option("seed", Math.floor(Math.random() * 2 ** 31), 0, 2 ** 31),
};

/** Access tokens outlive the run (so introspection can always tell a lost rotation), refreshes are due often. */
const ACCESS_TOKEN_LIFETIME_S = 3_600;
/** Callers ask for a token valid this long: a token older than 10 s is refreshed first. */
const MIN_VALID_S = ACCESS_TOKEN_LIFETIME_S - 10;
/**
 * Far above the slow faults' processed delays (at most 2 s): an answer Apicbase committed must not race the client's
 * timeout on a loaded machine, or a lost answer would have no injected cause. Slow faults meant to time out wait
 * longer than this (the client leaves, and the emulator then processes nothing).
 */
const APICBASE_TIMEOUT_MS = 8_000;
const DRAIN_BOUND_MS = drainBoundMs(APICBASE_TIMEOUT_MS);
/** A process still running this long after SIGTERM is killed, and its overrun reported. */
const SIGTERM_GRACE_MS = DRAIN_BOUND_MS + 10_000;
/** Ports for the token API processes and the emulator (loopback only). */
const API_PORTS = [3213, 3214, 3215, 3216, 3217, 3218, 3219];
const EMULATOR_PORTS = [4212, 4213, 4214, 4215, 4216, 4217, 4218, 4219];

const root = process.cwd();
const log = (line: string) => console.log(`[chaos] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** mulberry32: the run's choices (faults, victims, timing) follow --seed. */
function seededRandom(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const random = seededRandom(config.seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

async function freePorts(candidates: number[], count: number): Promise<number[]> {
  const free: number[] = [];
  for (const port of candidates) {
    if (free.length === count) break;
    if (await portFree(port)) free.push(port);
  }
  if (free.length < count)
    throw new Error(`need ${count} free port(s) among ${candidates.join(", ")}, found ${free.length}`);
  return free;
}

// ---------------------------------------------------------------------------------------------------------------
// Processes

type Kind = "worker" | "token-api";
type Instance = {
  name: string;
  kind: Kind;
  slot: number;
  child: ChildProcess;
  pid: number;
  port?: number;
  listening: boolean;
  sigtermAt?: number;
  /** When its SIGTERM handler ran, as it logged it (a loaded machine delivers signals late). */
  drainingAt?: number;
  sigkillAt?: number;
  /** A SIGTERM'd process that did not exit within SIGTERM_GRACE_MS and was killed. */
  overran?: boolean;
  exitedAt?: number;
  exited: Promise<void>;
  output: string[];
};

const instances: Instance[] = [];
const generations = new Map<string, number>();

function startInstance(
  kind: Kind,
  slot: number,
  common: Record<string, string>,
  emulatorUrl: string,
  port?: number,
): Instance {
  const key = `${kind}${slot}`;
  const generation = (generations.get(key) ?? 0) + 1;
  generations.set(key, generation);
  const name = `${kind === "worker" ? "w" : "a"}${slot}-g${generation}`;
  const script = kind === "worker" ? "scripts/worker.ts" : "scripts/token-api.ts";
  // node --import tsx, not the tsx binary: one process, so kill -9 hits the process that holds the refreshes.
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: root,
    env: {
      ...process.env,
      ...common,
      APICBASE_BASE_URL: `${emulatorUrl}/__as/${name}/`,
      ...(port ? { TOKEN_API_PORT: String(port) } : {}),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const instance: Instance = {
    name,
    kind,
    slot,
    child,
    pid: child.pid ?? -1,
    port,
    listening: false,
    output: [],
    exited: Promise.resolve(),
  };
  instance.exited = new Promise((resolve) =>
    child.once("exit", () => {
      instance.exitedAt = Date.now();
      instance.listening = false;
      resolve();
    }),
  );
  const collect = (line: string) => {
    instance.output.push(line);
    if (instance.output.length > 200) instance.output.shift();
    if (line.includes("listening on port")) instance.listening = true;
    const draining = /SIG(?:TERM|INT): stopping;.*\(at (\S+)\)/.exec(line);
    if (draining?.[1]) instance.drainingAt = Date.parse(draining[1]);
  };
  createInterface({ input: child.stdout! }).on("line", collect);
  createInterface({ input: child.stderr! }).on("line", collect);
  instances.push(instance);
  return instance;
}

const alive = (instance: Instance) => instance.exitedAt === undefined;

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  const adminUrl = await findPostgres();
  if (!adminUrl) {
    console.error(
      `[chaos] bench:chaos needs PostgreSQL (several processes share one database): none reachable at ${triedPostgresUrls}. ` +
        "Start one, or set TEST_DATABASE_URL to a server on which it may create a database.",
    );
    process.exit(2);
  }
  const startedAt = Date.now();
  log(
    `seed ${config.seed}: ${config.connections} connections, ${config.refreshers} refresher and ${config.tokenApis} token API ` +
      `process(es), ${config.callers} caller(s), ${config.seconds} s of chaos with a ${config.outage} s outage, settling up to ${config.settle} s`,
  );
  const target = await createPostgresDatabase(adminUrl, "portal_chaos");
  let database: Database | undefined;
  let emulator: { url: string; control: EmulatorControl; stop(): Promise<void> } | undefined;
  try {
    database = await openDatabase({ url: target.url, poolMax: 4 });
    emulator = await spawnEmulatorOnFreePort();
    const figures = await run(database, emulator, target.url);
    const elapsed = ((Date.now() - startedAt) / 1000).toFixed(0);
    log(`done in ${elapsed} s (seed ${config.seed})`);
    if (args.json) writeFileSync(args.json, `${JSON.stringify(figures, null, 2)}\n`);
    const failed = figures.lostWithoutCause + figures.redeemedTwice + figures.stale + figures.lostToSigterm > 0;
    if (failed) console.log("\nFAILED: one of the four figures that must be 0 is not.");
    process.exitCode = failed ? 1 : 0;
  } finally {
    await Promise.all(
      instances.filter(alive).map(async (instance) => {
        instance.child.kill("SIGKILL");
        await instance.exited;
      }),
    );
    await emulator?.stop();
    await database?.close().catch(() => undefined);
    if (args.keep) log(`kept the database ${target.name}`);
    else await target.drop().catch((error: unknown) => log(`could not drop ${target.name}: ${String(error)}`));
  }
}

async function spawnEmulatorOnFreePort() {
  const [port] = await freePorts(EMULATOR_PORTS, 1);
  return spawnEmulator(port);
}

export type ChaosFigures = {
  seed: number;
  connections: number;
  refreshGrants: number;
  storedRefreshes: number;
  reauthorization: { injectedLostAnswer: number; killedBetweenAnswerAndStore: number; none: number };
  lostWithoutCause: number;
  redeemedTwice: number;
  stale: number;
  leasesLeft: number;
  lostToSigterm: number;
  /** Refresh calls that reached Apicbase from a process after it got SIGTERM (must be none). */
  callsAfterSigterm: number;
  kills: number;
  sigterms: number;
  sigtermExitMs: number[];
  sigtermOverran: number;
  unresolvedAfterSettle: number;
  phasesSeconds: Record<string, number>;
};

async function run(
  database: Database,
  emulator: { url: string; control: EmulatorControl },
  databaseUrl: string,
): Promise<ChaosFigures> {
  const { db } = database;
  const control = emulator.control;
  const setupStarted = Date.now();
  const phases: Record<string, number> = {};
  const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;
  const encryptionKey = generateKey();
  const keyring = parseKeyring(encryptionKey);
  await control.settings({ access_token_lifetime_seconds: ACCESS_TOKEN_LIFETIME_S });

  // --- Seed: connections holding real emulator tokens, all due now. ---
  const settings: ApicbaseSettings = emulatorSettings(emulator.url, APICBASE_TIMEOUT_MS);
  const application = await ensureEnvironmentApplication(db, settings);
  const [organization] = await db
    .insert(organizations)
    .values({ name: `Chaos ${randomUUID()}` })
    .returning();
  const apiKey = (
    await createApiKey(db, { organizationId: organization!.id, name: "Chaos callers", actor: { system: "bench" } })
  ).key;
  const seeded = await seedDueConnections({
    db,
    keyring,
    control,
    organizationId: organization!.id,
    applicationId: application.id,
    count: config.connections,
    firstLibraryId: 200_000,
    libraryName: (n) => `Chaos library ${n}`,
    now: new Date(),
  });
  const ids = [...seeded.keys()];
  log(`seeded ${ids.length} connections, all due now`);

  // --- Processes. ---
  const common = {
    DATABASE_URL: databaseUrl,
    TOKEN_ENCRYPTION_KEY: encryptionKey,
    AUTH_APICBASE_ID: "",
    AUTH_APICBASE_SECRET: "",
    APICBASE_TIMEOUT_MS: String(APICBASE_TIMEOUT_MS),
    REFRESH_BUDGET_PER_MINUTE: "90",
    REFRESH_CONCURRENCY: "4",
    TOKEN_API_RATE_LIMIT: "1000000",
  };
  const apiPorts = await freePorts(API_PORTS, config.tokenApis);
  const startSlot = (kind: Kind, slot: number) =>
    startInstance(kind, slot, common, emulator.url, kind === "token-api" ? apiPorts[slot - 1] : undefined);
  for (let slot = 1; slot <= config.refreshers; slot++) startSlot("worker", slot);
  for (let slot = 1; slot <= config.tokenApis; slot++) startSlot("token-api", slot);
  // Generous: on a loaded machine starting a handful of node processes takes a while.
  const ready = Date.now() + 180_000;
  const starting = () =>
    instances.filter((i) => (i.kind === "token-api" && !i.listening) || (i.kind === "worker" && i.output.length === 0));
  while (starting().length > 0 && Date.now() < ready) {
    const dead = instances.find((i) => !alive(i));
    if (dead) throw new Error(`${dead.name} exited while starting:\n${dead.output.join("\n")}`);
    await sleep(100);
  }
  if (starting().length > 0)
    throw new Error(
      `${starting()
        .map((i) => i.name)
        .join(", ")} did not start within 180 s`,
    );
  log(`started ${instances.length} processes`);

  // --- Callers: fetch tokens through whichever token API process listens. ---
  const statuses = new Map<string, number>();
  const tally = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);
  const call = async (id: string) => {
    const up = instances.filter((i) => i.kind === "token-api" && i.listening && alive(i) && i.sigtermAt === undefined);
    if (up.length === 0) return void (await sleep(200));
    const target = pick(up);
    try {
      const response = await fetch(
        `http://127.0.0.1:${target.port}/api/v1/connections/${id}/access-token?min_valid_seconds=${MIN_VALID_S}`,
        {
          headers: { Authorization: `Bearer ${apiKey}`, Connection: "close" },
          signal: AbortSignal.timeout(30_000),
        },
      );
      await response.arrayBuffer();
      tally(String(response.status));
    } catch {
      tally("no answer");
    }
  };
  let calling = true;
  const callers = Array.from({ length: config.callers }, async () => {
    while (calling) {
      await call(pick(ids));
      await sleep(between(20, 200));
    }
  });

  phases.setup = seconds(setupStarted);
  // --- Chaos: faults, an outage, kill -9 and SIGTERM at random, restarts. ---
  const chaosStarted = Date.now();
  const chaosEnds = Date.now() + config.seconds * 1000;
  const outageAt = Date.now() + config.seconds * 400;
  let outageDone = config.outage === 0;
  const injected = new Map<string, number>();
  const sigtermExits: number[] = [];
  /** SIGTERM, then SIGKILL when it has not exited within the grace period (an overrun); records how long it took. */
  const terminate = async (instance: Instance) => {
    instance.sigtermAt = Date.now();
    instance.child.kill("SIGTERM");
    const timer = setTimeout(() => {
      instance.overran = true;
      instance.child.kill("SIGKILL");
    }, SIGTERM_GRACE_MS);
    await instance.exited;
    clearTimeout(timer);
    sigtermExits.push(instance.exitedAt! - instance.sigtermAt);
  };
  let kills = 0;
  let sigterms = 0;
  let actions = 0;
  const stopping: Promise<void>[] = [];
  // Victims are chosen only while at least this long remains: late kills would leave leases for the settle to wait out.
  const lastActionAt = chaosEnds - Math.min(5_000, config.seconds * 200);
  // About one kill or stop every 4 s (at least 6 in a run).
  const actionEveryMs = Math.max(1_500, Math.min(4_000, Math.round((config.seconds * 1000) / 6)));
  let nextAction = Date.now() + actionEveryMs;
  let nextFault = Date.now();

  while (Date.now() < chaosEnds) {
    const t = Date.now();
    if (!outageDone && t >= outageAt) {
      outageDone = true;
      await control.outage(config.outage, "reset");
      log(`Apicbase down for ${config.outage} s`);
    }
    if (t >= nextFault) {
      nextFault = t + between(300, 1200);
      const fault = randomFault();
      injected.set(
        `${fault.endpoint}:${fault.mode}`,
        (injected.get(`${fault.endpoint}:${fault.mode}`) ?? 0) + (fault.count ?? 1),
      );
      await control.fault(fault);
    }
    if (t >= nextAction && t < lastActionAt) {
      nextAction = t + between(actionEveryMs / 2, (actionEveryMs * 3) / 2);
      const victims = instances.filter((i) => alive(i) && i.sigtermAt === undefined && i.sigkillAt === undefined);
      if (victims.length > 0) {
        const victim = pick(victims);
        // Two kill -9 for every SIGTERM, in a fixed rhythm so that a short run has both; victims and times are random.
        if (actions++ % 3 !== 1) {
          kills++;
          victim.sigkillAt = Date.now();
          victim.child.kill("SIGKILL");
          stopping.push(
            victim.exited.then(async () => {
              await sleep(between(300, 1500));
              if (calling) startSlot(victim.kind, victim.slot);
            }),
          );
        } else {
          sigterms++;
          stopping.push(
            terminate(victim).then(() => {
              if (calling) startSlot(victim.kind, victim.slot);
            }),
          );
        }
      }
    }
    await sleep(100);
  }
  log(`chaos over: ${kills} kill -9, ${sigterms} SIGTERM; settling`);
  phases.chaos = seconds(chaosStarted);
  const settleStarted = Date.now();

  // --- Settle: no more faults; every slot running; unresolved connections are asked for until none is left. ---
  await control.clearFaults();
  await control.outage(0);
  await Promise.all(stopping);
  for (const kind of ["worker", "token-api"] as const) {
    const slots = kind === "worker" ? config.refreshers : config.tokenApis;
    for (let slot = 1; slot <= slots; slot++) {
      if (!instances.some((i) => i.kind === kind && i.slot === slot && alive(i))) startSlot(kind, slot);
    }
  }
  // A killed process's lease would lapse within REFRESH_LEASE_MS (60 s): lapse it now, as that time would.
  for (const killed of instances.filter((i) => i.sigkillAt !== undefined)) {
    await db.execute(
      sql`update ${connections} set lease_expires_at = now() where lease_owner like ${`%:${killed.pid}:%`}`,
    );
  }
  calling = false;
  await Promise.all(callers);

  const settleEnds = Date.now() + config.settle * 1000;
  let unresolved = await unresolvedConnections(db, keyring, control, seeded);
  while (unresolved.length > 0 && Date.now() < settleEnds) {
    const queue = [...unresolved];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let id = queue.shift(); id && Date.now() < settleEnds; id = queue.shift()) await call(id);
      }),
    );
    await sleep(1_000);
    unresolved = await unresolvedConnections(db, keyring, control, seeded);
  }
  log(
    unresolved.length === 0
      ? "settled"
      : `${unresolved.length} connection(s) still unresolved after ${config.settle} s`,
  );

  phases.settle = seconds(settleStarted);
  // --- Stop everything gracefully, then count. ---
  const stopStarted = Date.now();
  await Promise.all(instances.filter(alive).map(terminate));

  phases.stop = seconds(stopStarted);
  const figures = await count(db, keyring, control, seeded, {
    kills,
    sigterms,
    sigtermExits,
    unresolved: unresolved.length,
    phases,
  });
  print(figures, injected, statuses);
  return figures;
}

function randomFault(): FaultSpec {
  const roll = random();
  if (roll < 0.3) {
    // Either well under the timeout (processed late) or well over it (the client gives up; nothing happens).
    return {
      endpoint: "token",
      mode: "slow",
      delay_ms: random() < 0.8 ? between(300, 2000) : between(11_000, 12_000),
      count: between(1, 4),
    };
  }
  if (roll < 0.45) return { endpoint: "token", mode: "error_500", count: between(1, 3) };
  if (roll < 0.55) return { endpoint: "token", mode: "malformed" };
  if (roll < 0.63) return { endpoint: "token", mode: "drop_after_commit" };
  if (roll < 0.7) return { endpoint: "token", mode: "rate_limit", retry_after: between(1, 3) };
  if (roll < 0.8) return { endpoint: "introspect", mode: pick(["error_500", "malformed"] as const) };
  if (roll < 0.9) return { endpoint: "introspect", mode: "slow", delay_ms: between(300, 2000) };
  return { endpoint: "token", mode: "slow", delay_ms: between(300, 2000) };
}

type Chain = { latest: string; last: RefreshLogEntry | undefined };

/** Each connection's rotation chain from its seeded refresh token through the emulator's log. */
function chains(seeded: Map<string, string>, entries: RefreshLogEntry[]): Map<string, Chain> {
  const rotations = new Map<string, RefreshLogEntry>();
  for (const entry of entries) if (entry.issued && !rotations.has(entry.used)) rotations.set(entry.used, entry);
  const result = new Map<string, Chain>();
  for (const [id, first] of seeded) {
    let latest = first;
    let last: RefreshLogEntry | undefined;
    for (let hops = 0, next = rotations.get(latest); next && hops < 100_000; hops++, next = rotations.get(latest)) {
      last = next;
      latest = next.issued!;
    }
    result.set(id, { latest, last });
  }
  return result;
}

type Row = {
  id: string;
  status: string;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  leaseTakenOverFrom: string | null;
  tokenVersion: number;
  refresh: string | null;
};

async function readRows(db: Database["db"], keyring: ReturnType<typeof parseKeyring>): Promise<Row[]> {
  const rows = await db.select().from(connections);
  return rows.map((row) => {
    let refresh: string | null = null;
    try {
      refresh = openTokens(keyring, row)?.refreshToken ?? null;
    } catch {
      refresh = null;
    }
    const { id, status, leaseOwner, leaseExpiresAt, leaseTakenOverFrom, tokenVersion } = row;
    return { id, status, leaseOwner, leaseExpiresAt, leaseTakenOverFrom, tokenVersion, refresh };
  });
}

/**
 * Connections whose fate is not settled yet: holding an older token than the emulator's latest (an answer not stored
 * yet, or lost and not yet found out), a lapsed lease of a killed process, or an interrupted refresh nobody has
 * checked yet. (Leases of live processes end with their refreshes, at the latest when they are stopped.)
 */
async function unresolvedConnections(
  db: Database["db"],
  keyring: ReturnType<typeof parseKeyring>,
  control: EmulatorControl,
  seeded: Map<string, string>,
) {
  const chainOf = chains(seeded, await control.refreshLog());
  const now = Date.now();
  return (await readRows(db, keyring))
    .filter((row) => row.status !== "needs_reauthorization")
    .filter(
      (row) =>
        row.refresh !== chainOf.get(row.id)?.latest ||
        row.leaseTakenOverFrom !== null ||
        (row.leaseOwner !== null && (row.leaseExpiresAt?.getTime() ?? 0) <= now),
    )
    .map((row) => row.id);
}

function instanceNamed(name: string | null): Instance | undefined {
  return name ? instances.find((instance) => instance.name === name) : undefined;
}

/**
 * Why the answer of a rotation never got stored: the emulator dropped it (an injected lost answer), it went to a
 * process killed with -9, or to a process stopped with SIGTERM while the call was under way (which a drain must
 * never lose; a process killed after overrunning its SIGTERM counts here too). Anything else has no cause.
 */
function causeOf(entry: RefreshLogEntry): "dropped" | "kill" | "sigterm" | "none" {
  if (entry.answer === "dropped") return "dropped";
  const receiver = instanceNamed(entry.caller);
  if (!receiver) return "none";
  if (receiver.overran) return "sigterm";
  if (receiver.sigkillAt !== undefined) return "kill";
  if (receiver.sigtermAt !== undefined && entry.at >= receiver.sigtermAt - APICBASE_TIMEOUT_MS - 1_000)
    return "sigterm";
  return "none";
}

async function count(
  db: Database["db"],
  keyring: ReturnType<typeof parseKeyring>,
  control: EmulatorControl,
  seeded: Map<string, string>,
  run: { kills: number; sigterms: number; sigtermExits: number[]; unresolved: number; phases: Record<string, number> },
): Promise<ChaosFigures> {
  const entries = await control.refreshLog();
  const chainOf = chains(seeded, entries);
  const rows = await readRows(db, keyring);
  const reauthorization = { injectedLostAnswer: 0, killedBetweenAnswerAndStore: 0, none: 0 };
  let stale = 0;
  let lostToSigterm = 0;
  for (const row of rows) {
    const chain = chainOf.get(row.id)!;
    const unstored = row.refresh !== chain.latest ? chain.last : undefined;
    const cause = unstored ? causeOf(unstored) : undefined;
    if (cause === "sigterm") lostToSigterm++;
    if (row.status === "needs_reauthorization") {
      if (cause === "dropped") reauthorization.injectedLostAnswer++;
      else if (cause === "kill") reauthorization.killedBetweenAnswerAndStore++;
      else if (cause !== "sigterm") reauthorization.none++;
    } else if (unstored) {
      stale++;
    }
  }
  // A call arriving more than 100 ms (loopback, a busy event loop) after its process's SIGTERM handler ran.
  const callsAfterSigterm = entries.filter((entry) => {
    const sender = instanceNamed(entry.caller);
    const since = sender?.drainingAt ?? sender?.sigtermAt;
    return since !== undefined && entry.received > since + 100;
  }).length;
  // A refresh token presented again after it had been redeemed.
  const redeemed = new Set<string>();
  let redeemedTwice = 0;
  for (const entry of entries) {
    if (redeemed.has(entry.used)) redeemedTwice++;
    if (entry.issued) redeemed.add(entry.used);
  }
  const [leases] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(connections)
    .where(sql`${connections.leaseOwner} is not null`);
  const [versions] = await db
    .select({ sum: sql<number>`coalesce(sum(${connections.tokenVersion} - 1), 0)::int` })
    .from(connections);
  return {
    seed: config.seed,
    connections: rows.length,
    refreshGrants: entries.filter((entry) => entry.issued).length,
    storedRefreshes: Number(versions!.sum),
    reauthorization,
    lostWithoutCause: reauthorization.none,
    redeemedTwice,
    stale,
    leasesLeft: Number(leases!.count),
    lostToSigterm,
    callsAfterSigterm,
    kills: run.kills,
    sigterms: run.sigterms,
    sigtermExitMs: run.sigtermExits,
    sigtermOverran: instances.filter((instance) => instance.overran).length,
    unresolvedAfterSettle: run.unresolved,
    phasesSeconds: run.phases,
  };
}

function print(figures: ChaosFigures, injected: Map<string, number>, statuses: Map<string, number>) {
  const exits = [...figures.sigtermExitMs].sort((a, b) => a - b);
  const median = exits.length ? exits[Math.floor(exits.length / 2)]! : 0;
  const max = exits.length ? exits[exits.length - 1]! : 0;
  const line = (label: string, value: string | number) => console.log(`${label.padEnd(58, ".")} ${value}`);
  console.log("");
  line("connections", figures.connections);
  line("kill -9 / SIGTERM (during the run)", `${figures.kills} / ${figures.sigterms}`);
  line(
    "exit after SIGTERM: median / max / past the bound",
    `${median} ms / ${max} ms / ${figures.sigtermOverran} (bound ${DRAIN_BOUND_MS} ms)`,
  );
  line("faults injected", [...injected].map(([kind, n]) => `${kind} ${n}`).join(", ") || "none");
  line("token API answers", [...statuses].map(([status, n]) => `${status}: ${n}`).join(", ") || "none");
  line("refresh grants (emulator)", figures.refreshGrants);
  line("stored refreshes (portal)", figures.storedRefreshes);
  line("needing re-authorization: injected lost answer", figures.reauthorization.injectedLostAnswer);
  line(
    "needing re-authorization: kill -9 between answer and store",
    figures.reauthorization.killedBetweenAnswerAndStore,
  );
  line("needing re-authorization: no cause (lost without cause)", `${figures.lostWithoutCause}   (must be 0)`);
  line("refresh tokens redeemed twice", `${figures.redeemedTwice}   (must be 0)`);
  line("stored tokens not the latest the emulator issued (stale)", `${figures.stale}   (must be 0)`);
  line("rotations lost to SIGTERM", `${figures.lostToSigterm}   (must be 0)`);
  line("refresh calls arriving > 100 ms after their process's SIGTERM handler", figures.callsAfterSigterm);
  line("leases left", figures.leasesLeft);
  if (figures.unresolvedAfterSettle) line("unresolved when the settle ended", figures.unresolvedAfterSettle);
  line(
    "phases (s)",
    Object.entries(figures.phasesSeconds)
      .map(([phase, s]) => `${phase} ${s}`)
      .join(", "),
  );
}

main().catch((error: unknown) => {
  console.error(`[chaos] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
