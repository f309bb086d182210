/**
 * `npm run bench:dashboard`: how fast the connections dashboard is with 10,000 connections in one organization.
 *
 * Seeds a fresh PGlite database (and a throwaway PostgreSQL database when one is reachable at TEST_DATABASE_URL or
 * 127.0.0.1:5432), then measures
 *   1. the dashboard's list query (count + one page, exactly what the page runs) in-process, and
 *   2. a full server render of `/connections` through `next start` on the seeded data, signed in with a session
 *      written straight into the sessions table,
 * each for the first page, a name search and a status filter. Prints p50/p95 against the goals (query p95 < 50 ms,
 * page p95 < 200 ms). Needs a production build (`next build`; NEXT_DIST_DIR is honoured).
 *
 * Options (environment): BENCH_CONNECTIONS (10000), BENCH_QUERY_RUNS (200), BENCH_PAGE_RUNS (60), BENCH_PORT (3190),
 * BENCH_SKIP_POSTGRES=1, BENCH_SKIP_PAGE=1.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { queryConnectionList } from "../lib/connections/queries";
import type { ConnectionFilters } from "../lib/connections/view";
import { hashSessionToken } from "../lib/auth/session-token";
import { generateKey } from "../lib/crypto/secrets";
import { openDatabase, type Database } from "../lib/db/client";
import { createPostgresDatabase, findPostgres } from "../lib/testing/postgres";
import {
  applications,
  auditEvents,
  connections,
  memberships,
  organizations,
  sessions,
  users,
  type ConnectionStatus,
  type NewAuditEvent,
  type NewConnection,
} from "../lib/db/schema";

const root = process.cwd();
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10_000);
const QUERY_RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 200);
const PAGE_RUNS = Number(process.env.BENCH_PAGE_RUNS ?? 60);
const PORT = Number(process.env.BENCH_PORT ?? 3190);
const GOAL_QUERY_MS = 50;
const GOAL_PAGE_MS = 200;

type Scenario = { name: string; filters: ConnectionFilters; query: string; expect: RegExp };
const SCENARIOS: Scenario[] = [
  {
    name: "first page",
    filters: { q: "", status: null, page: 1 },
    query: "",
    expect: /Showing 1–25 of 10,000 connections/,
  },
  {
    name: 'search "bistro"',
    filters: { q: "bistro", status: null, page: 1 },
    query: "&q=bistro",
    expect: /Showing 1–25 of [\d,]+ connections matching/,
  },
  {
    name: "status: expiring soon",
    filters: { q: "", status: "expiring_soon", page: 1 },
    query: "&status=expiring_soon",
    expect: /Showing 1–25 of [\d,]+ connections matching/,
  },
  {
    name: "page 200 (deep)",
    filters: { q: "", status: null, page: 200 },
    query: "&page=200",
    expect: /Showing 4,976–5,000 of 10,000/,
  },
];

type Row = {
  database: string;
  measured: string;
  scenario: string;
  p50: number;
  p95: number;
  mean: number;
  runs: number;
  goal: number;
};
const results: Row[] = [];

function log(message: string) {
  console.log(`[bench] ${message}`);
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

function summarize(database: string, measured: string, scenario: string, samples: number[], goal: number) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
  results.push({
    database,
    measured,
    scenario,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    mean,
    runs: samples.length,
    goal,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Seed: one organization with CONNECTIONS connections in every state, three audit events each, and a member.

const WORDS = [
  "Bistro",
  "Café",
  "Brasserie",
  "Trattoria",
  "Pizzeria",
  "Bakkerij",
  "Grill",
  "Sushi",
  "Taverne",
  "Eetcafé",
  "Kitchen",
  "Deli",
];
const PLACES = [
  "Nord",
  "Zuid",
  "Oost",
  "West",
  "Centrum",
  "Haven",
  "Markt",
  "Park",
  "Station",
  "Dijk",
  "Brug",
  "Plein",
  "Molen",
  "Kade",
];

type Seeded = { organizationId: string; userId: string; sessionToken: string };

async function seed(database: Database): Promise<Seeded> {
  const { db } = database;
  const now = Date.now();
  const organizationId = randomUUID();
  const userId = randomUUID();
  const applicationId = randomUUID();
  const sessionToken = randomBytes(32).toString("base64url");
  await db.insert(organizations).values({ id: organizationId, name: `Bench partner ${organizationId.slice(0, 8)}` });
  await db.insert(applications).values({
    id: applicationId,
    name: "Bench app",
    clientId: `bench-${organizationId.slice(0, 8)}`,
    source: "environment",
    scopes: ["accounts", "library"],
  });
  await db.insert(users).values({
    id: userId,
    email: `bench-${organizationId.slice(0, 8)}@bench.test`,
    name: "Bench Partner",
    apicbaseUserId: 900_000_000 + Math.floor(Math.random() * 1_000_000),
  });
  await db.insert(memberships).values({ userId, organizationId });
  await db
    .insert(sessions)
    .values({ sessionToken: hashSessionToken(sessionToken), userId, expires: new Date(now + 24 * 3600_000) });

  const day = 24 * 3600_000;
  let random = 42;
  const next = () => (random = (random * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const BATCH = 500;
  for (let start = 0; start < CONNECTIONS; start += BATCH) {
    const rows: NewConnection[] = [];
    const events: NewAuditEvent[] = [];
    for (let i = start; i < Math.min(CONNECTIONS, start + BATCH); i++) {
      const roll = next();
      const status: ConnectionStatus =
        roll < 0.82
          ? "active"
          : roll < 0.88
            ? "refresh_failing"
            : roll < 0.94
              ? "needs_reauthorization"
              : roll < 0.99
                ? "revoked"
                : "revoking";
      const expiresAt = status === "revoked" ? null : new Date(now + (next() * 9 - 2) * day);
      const id = randomUUID();
      const libraryId = 100_000 + i;
      const name = `${WORDS[i % WORDS.length]} ${PLACES[Math.floor(i / WORDS.length) % PLACES.length]} ${i}`;
      rows.push({
        id,
        organizationId,
        applicationId,
        libraryId,
        libraryName: name,
        approvedByApicbaseUserId: 10_000 + i,
        approvedByEmail: `owner${i}@library.test`,
        approvedByName: `Owner ${i}`,
        status,
        scopes: ["accounts", "library"],
        // Tokens are not needed to list connections; leaving them out also keeps any background refresher idle.
        accessTokenCiphertext: null,
        refreshTokenCiphertext: null,
        accessTokenExpiresAt: expiresAt,
        lastRefreshedAt: new Date(now - next() * 7 * day),
        lastRefreshError:
          status === "refresh_failing" ? "server_error" : status === "needs_reauthorization" ? "invalid_grant" : null,
        lastVerifiedAt: i % 3 === 0 ? new Date(now - next() * day) : null,
        lastVerification:
          i % 3 === 0
            ? {
                active: status === "active",
                scope: "accounts library",
                exp: expiresAt ? Math.floor(expiresAt.getTime() / 1000) : null,
                library: { id: libraryId, name },
              }
            : null,
        observedLibraryId: i % 97 === 0 ? libraryId + 1 : null,
        revokedAt: status === "revoked" ? new Date(now - next() * 30 * day) : null,
        revokeReason: status === "revoked" ? "Disconnected by bench" : null,
        createdAt: new Date(now - (30 + next() * 300) * day),
      });
      for (const event of ["connection_connected", "connection_refreshed", "connection_verified"]) {
        events.push({
          actorLabel: "bench",
          organizationId,
          connectionId: id,
          event,
          outcome: "success",
          occurredAt: new Date(now - next() * 30 * day),
        });
      }
    }
    await db.insert(connections).values(rows);
    await db.insert(auditEvents).values(events);
  }
  return { organizationId, userId, sessionToken };
}

// ---------------------------------------------------------------------------------------------------------------
// 1. The list query, in-process.

/**
 * Planner statistics, as PostgreSQL's autovacuum gathers them. PGlite has no autovacuum (the portal analyzes at open
 * and every 30 minutes, lib/db/client.ts: here at open, while the tables were empty): without statistics its
 * planner guesses that an organization has a handful of connections and sorts all of them instead of walking the
 * index (measured separately, as "before analyze").
 */
async function analyze(database: Database) {
  await database.db.execute(sql`vacuum analyze`);
}

async function benchQueries(label: string, database: Database, organizationId: string) {
  for (const scenario of SCENARIOS) {
    for (let i = 0; i < 10; i++) await queryConnectionList(database.db, organizationId, scenario.filters, new Date());
    const samples: number[] = [];
    for (let i = 0; i < QUERY_RUNS; i++) {
      const started = performance.now();
      const list = await queryConnectionList(database.db, organizationId, scenario.filters, new Date());
      samples.push(performance.now() - started);
      if (list.connections.length === 0) throw new Error(`${scenario.name}: no rows`);
    }
    summarize(label, "list query", scenario.name, samples, GOAL_QUERY_MS);
  }
  // The admin's list across every organization (/admin/connections): no organization to narrow the index with.
  const everyOrganization = SCENARIOS[0]!;
  for (let i = 0; i < 10; i++) await queryConnectionList(database.db, null, everyOrganization.filters, new Date());
  const samples: number[] = [];
  for (let i = 0; i < QUERY_RUNS; i++) {
    const started = performance.now();
    const list = await queryConnectionList(database.db, null, everyOrganization.filters, new Date());
    samples.push(performance.now() - started);
    if (list.connections.length === 0) throw new Error("every organization: no rows");
  }
  summarize(label, "list query", "admin, all organizations", samples, GOAL_QUERY_MS);
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Full page renders through `next start`.

async function startPortal(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; output: string[] }> {
  const url = `http://localhost:${PORT}`;
  const output: string[] = [];
  const child = spawn(path.join(root, "node_modules", ".bin", "next"), ["start", "-p", String(PORT)], {
    cwd: root,
    env: { ...process.env, ...env, PORTAL_URL: url, NODE_ENV: "production", SANDBOX: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${output.join("")}`);
    try {
      const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      return { child, url, output };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  child.kill("SIGTERM");
  throw new Error(`next start did not answer within 60 s:\n${output.join("")}`);
}

async function stopPortal(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

async function benchPages(label: string, env: Record<string, string>, seeded: Seeded) {
  log(`${label}: starting next start on port ${PORT}`);
  const { child, url, output } = await startPortal(env);
  try {
    const cookie = `authjs.session-token=${seeded.sessionToken}`;
    for (const scenario of SCENARIOS) {
      const target = `${url}/connections?organization=${seeded.organizationId}${scenario.query}`;
      const get = async () => {
        const response = await fetch(target, { headers: { cookie }, redirect: "manual" });
        const html = await response.text();
        if (response.status !== 200 || !scenario.expect.test(html)) {
          throw new Error(
            `${scenario.name}: unexpected answer ${response.status} ${response.headers.get("location") ?? ""}\n${html.slice(0, 300)}\n${output.join("").slice(-2000)}`,
          );
        }
      };
      for (let i = 0; i < 5; i++) await get();
      const samples: number[] = [];
      for (let i = 0; i < PAGE_RUNS; i++) {
        const started = performance.now();
        await get();
        samples.push(performance.now() - started);
      }
      summarize(label, "/connections render", scenario.name, samples, GOAL_PAGE_MS);
    }
  } finally {
    await stopPortal(child);
  }
}

// ---------------------------------------------------------------------------------------------------------------

const portalEnv = (extra: Record<string, string>): Record<string, string> => ({
  AUTH_SECRET: randomBytes(32).toString("base64url"),
  TOKEN_ENCRYPTION_KEY: generateKey(),
  // Nothing listens there: rendering the dashboard never calls Apicbase.
  APICBASE_BASE_URL: "http://127.0.0.1:9",
  AUTH_APICBASE_ID: "",
  AUTH_APICBASE_SECRET: "",
  PORTAL_ADMIN_EMAILS: "",
  DATABASE_URL: "",
  // The page alone: no background refresher in the measured server (the seeded connections hold no tokens anyway).
  REFRESHER: "off",
  ...extra,
});

async function benchPglite(skipPage: boolean) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "portal-bench-"));
  try {
    log(`PGlite: seeding ${CONNECTIONS} connections into ${dataDir}`);
    const database = await openDatabase({ dataDir });
    let seeded: Seeded;
    try {
      const started = performance.now();
      seeded = await seed(database);
      log(
        `PGlite: seeded in ${((performance.now() - started) / 1000).toFixed(1)} s; measuring the list query (${QUERY_RUNS} runs each)`,
      );
      await benchQueries("PGlite, before analyze", database, seeded.organizationId);
      await analyze(database);
      await benchQueries("PGlite", database, seeded.organizationId);
    } finally {
      // PGlite is single-process: the portal opens the folder next.
      await database.close();
    }
    if (!skipPage) await benchPages("PGlite", portalEnv({ DATA_DIR: dataDir }), seeded);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function benchPostgres(skipPage: boolean) {
  const adminUrl = await findPostgres();
  if (!adminUrl) {
    log("PostgreSQL: not reachable (TEST_DATABASE_URL or 127.0.0.1:5432); skipped");
    return;
  }
  const { name, url, drop } = await createPostgresDatabase(adminUrl, "portal_bench");
  try {
    log(`PostgreSQL: seeding ${CONNECTIONS} connections into the throwaway database ${name}`);
    const database = await openDatabase({ url });
    let seeded: Seeded;
    try {
      seeded = await seed(database);
      await analyze(database);
      log(`PostgreSQL: measuring the list query (${QUERY_RUNS} runs each)`);
      await benchQueries("PostgreSQL", database, seeded.organizationId);
    } finally {
      await database.close();
    }
    if (!skipPage) await benchPages("PostgreSQL", portalEnv({ DATABASE_URL: url }), seeded);
  } finally {
    await drop().catch((error: unknown) => log(`could not drop ${name}: ${String(error)}`));
  }
}

function report() {
  const pad = (text: string, width: number) => text.padEnd(width);
  const W = Math.max(...results.map((row) => row.database.length), 8) + 1;
  const ms = (value: number) => `${value.toFixed(1)} ms`.padStart(10);
  console.log("");
  console.log(
    `Dashboard benchmark: ${CONNECTIONS.toLocaleString("en")} connections in one organization (page size 25)`,
  );
  console.log(
    `${pad("database", W)} ${pad("measured", 20)} ${pad("scenario", 24)} ${"p50".padStart(10)} ${"p95".padStart(10)} ${"mean".padStart(10)}  runs  goal (p95)`,
  );
  for (const row of results) {
    const verdict = row.database.includes("before analyze") ? "(for comparison)" : row.p95 < row.goal ? "ok" : "MISSED";
    console.log(
      `${pad(row.database, W)} ${pad(row.measured, 20)} ${pad(row.scenario, 24)} ${ms(row.p50)} ${ms(row.p95)} ${ms(row.mean)} ${String(row.runs).padStart(5)}  < ${row.goal} ms ${verdict}`,
    );
  }
  const missed = results.filter((row) => !row.database.includes("before analyze") && row.p95 >= row.goal).length;
  console.log(missed === 0 ? "\nbench: every p95 within its goal" : `\nbench: ${missed} p95 figure(s) over the goal`);
}

async function main() {
  const skipPage = process.env.BENCH_SKIP_PAGE === "1";
  const distDir = path.join(root, process.env.NEXT_DIST_DIR || ".next");
  if (!skipPage && !existsSync(path.join(distDir, "BUILD_ID"))) {
    console.error(`[bench] no production build in ${distDir}: run \`npx next build\` first (or BENCH_SKIP_PAGE=1)`);
    process.exit(1);
  }
  await benchPglite(skipPage);
  if (process.env.BENCH_SKIP_POSTGRES !== "1") await benchPostgres(skipPage);
  report();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
