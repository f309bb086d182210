import { AsyncLocalStorage } from "node:async_hooks";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { PGlite, type ParserOptions, type Results, type Transaction } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import type { Assume, ExtractTablesWithRelations } from "drizzle-orm";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { Pool } from "pg";
import * as schema from "./schema";

export type Schema = typeof schema;

/** What both drivers' `execute()` results have in common. */
export type DbQueryResult<TRow> = { rows: TRow[] };
export interface DbQueryResultHKT extends PgQueryResultHKT {
  type: DbQueryResult<Assume<this["row"], Record<string, unknown>>>;
}

/** The drizzle instance, one type for PGlite and PostgreSQL. */
export type Db = PgDatabase<DbQueryResultHKT, Schema>;
export type DbTransaction = PgTransaction<DbQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either the database or an open transaction: for helpers that can run inside or outside one. */
export type DbExecutor = Db | DbTransaction;

/**
 * An open database.
 *
 * Transactions: use `db.transaction(async (tx) => ...)` and, inside the callback, only `tx`. PGlite has one
 * connection and runs one transaction at a time: other callers' queries wait until it commits, so they can never
 * land inside it; a query on `db` from inside the callback would wait for itself, so it throws instead.
 * On PostgreSQL each transaction holds one pooled connection.
 *
 * Row counts differ between drivers: to learn whether an UPDATE matched (e.g. a compare-and-swap on
 * `token_version`), use `.returning()` and check the length.
 */
export type Database = {
  db: Db;
  kind: "pglite" | "postgres";
  close(): Promise<void>;
};

export type OpenDatabaseOptions = {
  /** A postgres:// URL: PostgreSQL through a pool. Unset: PGlite. */
  url?: string;
  /** PGlite's parent folder (its files go to `<dataDir>/pglite`), or ":memory:". Default ".data". */
  dataDir?: string;
  /** Apply pending migrations on open. Default true. */
  migrate?: boolean;
  /** Folder of drizzle-kit migrations. Default `<cwd>/drizzle`. */
  migrationsFolder?: string;
  /** PostgreSQL pool size. Default 10. */
  poolMax?: number;
  /**
   * Where PGlite runs: "worker" (its own thread, lib/db/pglite-worker.mjs) or "main" (this thread). Default: "worker"
   * for a folder, "main" for ":memory:" (tests open hundreds of those; a thread each would only cost).
   */
  pgliteThread?: "worker" | "main";
};

export const MEMORY = ":memory:";

export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<Database> {
  const migrationsFolder = opts.migrationsFolder ?? path.join(process.cwd(), "drizzle");
  return opts.url
    ? openPostgres(opts.url, opts.migrate !== false, migrationsFolder, opts.poolMax ?? 10)
    : openPglite(opts.dataDir ?? ".data", opts.migrate !== false, migrationsFolder, opts.pgliteThread);
}

// A fixed key for pg_advisory_lock, so instances starting together apply migrations one after the other.
const MIGRATION_LOCK_KEY = 7_264_021_911;

async function openPostgres(url: string, migrate: boolean, migrationsFolder: string, max: number): Promise<Database> {
  const pool = new Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 10_000,
    // Text output of timestamps (e.g. in `date_trunc` or logs) in UTC, whatever the server's default.
    options: "-c TimeZone=UTC",
  });
  // An idle client's error (e.g. the server restarting) must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  try {
    if (migrate) {
      const client = await pool.connect();
      try {
        await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
        try {
          await migrateNodePg(drizzleNodePg(client, { schema }), { migrationsFolder });
        } finally {
          await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
        }
      } finally {
        // Discarded rather than pooled, so no session state (such as the lock) outlives the migration.
        client.release(true);
      }
    } else {
      await pool.query("select 1");
    }
  } catch (error) {
    await pool.end();
    throw error;
  }
  const db: Db = drizzleNodePg(pool, { schema });
  return { db, kind: "postgres", close: once(() => pool.end()) };
}

async function openPglite(
  dataDir: string,
  migrate: boolean,
  migrationsFolder: string,
  thread: OpenDatabaseOptions["pgliteThread"],
): Promise<Database> {
  let folder: string | undefined;
  let releaseLock = () => {};
  if (dataDir !== MEMORY) {
    folder = path.resolve(dataDir, "pglite");
    // PGlite does not create parent folders.
    mkdirSync(folder, { recursive: true });
    releaseLock = lockFolder(folder);
  }
  let client: PgliteClient | undefined;
  try {
    const onWorker = (thread ?? (folder ? "worker" : "main")) === "worker";
    client = onWorker ? await startPgliteWorker(folder) : await startPglite(folder);
    guardQueries(client, { takeTurns: !onWorker });
    const pgliteDb = drizzlePglite(client as PGlite, { schema });
    if (migrate) await migratePglite(pgliteDb, { migrationsFolder });
    const db: Db = pgliteDb;
    const pglite = client;
    const stopAnalyzing = folder ? keepStatisticsFresh(pglite) : () => {};
    return {
      db,
      kind: "pglite",
      close: once(async () => {
        stopAnalyzing();
        try {
          if (!pglite.closed) await pglite.close();
        } finally {
          releaseLock();
        }
      }),
    };
  } catch (error) {
    if (client && !client.closed) await client.close().catch(() => {});
    releaseLock();
    throw error;
  }
}

/** What this module and drizzle use of PGlite: the in-thread instance and the worker's stand-in both offer it. */
type PgliteClient = Pick<PGlite, "query" | "exec" | "transaction" | "close" | "closed">;

async function startPglite(folder: string | undefined): Promise<PgliteClient> {
  // pg_trgm: the trigram index behind the dashboard's library name search (migration 0011).
  const client = new PGlite(folder, { extensions: { pg_trgm } });
  try {
    await client.waitReady;
    await client.exec("set time zone 'UTC'");
  } catch (error) {
    if (!client.closed) await client.close().catch(() => {});
    throw error;
  }
  return client;
}

type WorkerAnswer =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; stack?: string; props: object } };

/** An error that crossed from the worker: the same message, name and fields (code, constraint...) as there. */
function reviveError({ name, message, stack, props }: Extract<WorkerAnswer, { ok: false }>["error"]): Error {
  const error = Object.assign(new Error(message), props);
  error.name = name;
  if (stack) error.stack = `${stack}\n    (in the PGlite worker thread)`;
  return error;
}

/** The worker thread behind a PGlite stand-in, for tests that stop it as a crash would. */
export const PGLITE_WORKER = Symbol.for("portal.pgliteWorker");

/** A worker thread that stops this many times within a minute is not started again. */
const PGLITE_WORKER_RESTARTS = 3;

/**
 * PGlite on its own thread (lib/db/pglite-worker.mjs): PGlite runs each query synchronously, so on this thread the
 * database's work (about a third of the CPU under the token API's load) held up every request waiting to be read or
 * answered. The stand-in offers what drizzle uses (query, exec, transaction) by messages. Drizzle's parsers keep
 * dates and intervals as text; functions cannot cross threads, so the worker is told which types to keep as text.
 *
 * A worker that stops on its own (a crash in PGlite) fails the queries it was running and rolls back its open
 * transactions (their later queries fail: a transaction is named once, never reused), and a new worker opens the same
 * folder, as PostgreSQL recovers after a crash; committed work is kept. After PGLITE_WORKER_RESTARTS stops within a
 * minute, every request fails instead, naming the cause.
 */
async function startPgliteWorker(folder: string | undefined): Promise<PgliteClient> {
  type Waiting = { resolve(value: unknown): void; reject(error: Error): void };
  let worker: Worker;
  let pending = new Map<number, Waiting>();
  let lastId = 0;
  let lastTransaction = 0;
  let closed = false;
  let stopped: Error | undefined;
  let stops: number[] = [];
  let running = false;

  const launch = (): Promise<unknown> => {
    const current = new Worker(path.join(process.cwd(), "lib", "db", "pglite-worker.mjs"), { workerData: { folder } });
    const mine = new Map<number, Waiting>();
    worker = current;
    pending = mine;
    running = true;
    // Referenced only while an answer is awaited: an idle database must not keep the process alive (as in-thread
    // PGlite does not), and a pending query must (or the process could exit while awaiting it).
    current.unref();
    current.on("message", (answer: WorkerAnswer) => {
      const waiting = mine.get(answer.id);
      if (!waiting) return;
      mine.delete(answer.id);
      if (mine.size === 0) current.unref();
      if (answer.ok) waiting.resolve(answer.value);
      else waiting.reject(reviveError(answer.error));
    });
    const lost = (error: Error) => {
      if (current === worker) running = false;
      for (const waiting of mine.values()) waiting.reject(error);
      mine.clear();
      if (current !== worker || closed) return;
      const now = Date.now();
      stops = [...stops.filter((at) => now - at < 60_000), now];
      if (stops.length >= PGLITE_WORKER_RESTARTS) {
        stopped = error;
        closed = true;
        console.error(
          `PGlite: ${error.message} It stopped ${stops.length} times within a minute: every database request now fails.`,
        );
        return;
      }
      console.error(`PGlite: ${error.message} Its queries under way failed; starting it again on the same folder.`);
      launch().catch(() => {});
    };
    current.on("error", (error) =>
      lost(new Error(`The PGlite worker thread failed: ${error.message}`, { cause: error })),
    );
    current.on("exit", (code) => lost(new Error(`The PGlite worker thread stopped (exit code ${code}).`)));
    return new Promise((resolve, reject) => {
      mine.set(0, { resolve, reject });
      current.ref();
    });
  };

  const call = <T>(request: Record<string, unknown>): Promise<T> => {
    if (stopped) return Promise.reject(stopped);
    const id = ++lastId;
    const current = worker;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      current.ref();
      current.postMessage({ ...request, id });
    });
  };
  const textTypes = (parsers: ParserOptions | undefined) =>
    Object.entries(parsers ?? {}).map(([oid, parse]) => {
      if (parse("2026-01-01", Number(oid)) !== "2026-01-01")
        throw new Error("Only parsers that keep a value as text can be used with the PGlite worker.");
      return Number(oid);
    });
  const query =
    (tx: number) =>
    <T>(sql: string, params?: unknown[], options?: Parameters<PGlite["query"]>[2]): Promise<Results<T>> =>
      call({ op: "query", sql, params, rowMode: options?.rowMode, raw: textTypes(options?.parsers), tx });
  const exec = (tx: number) => (sql: string) => call<Results[]>({ op: "exec", sql, tx });

  const client = {
    query: query(0),
    exec: exec(0),
    async transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T> {
      const name = ++lastTransaction;
      await call({ op: "begin", tx: name });
      let open = true;
      const tx = {
        query: query(name),
        exec: exec(name),
        async rollback() {
          throw new Error("Roll back by throwing from the transaction callback.");
        },
        get closed() {
          return !open;
        },
      } as unknown as Transaction;
      let result: T;
      try {
        result = await callback(tx);
      } catch (error) {
        open = false;
        await call({ op: "rollback", tx: name }).catch(() => {});
        throw error;
      }
      open = false;
      await call({ op: "commit", tx: name });
      return result;
    },
    async close() {
      closed = true;
      const current = worker;
      if (!running) return;
      const exited = new Promise((resolve) => current.once("exit", resolve));
      await call({ op: "close" }).catch(() => {});
      await current.terminate();
      await exited;
    },
    get closed() {
      return closed;
    },
    get [PGLITE_WORKER]() {
      return worker;
    },
  } as PgliteClient;
  try {
    await launch();
  } catch (error) {
    await client.close().catch(() => {});
    throw error;
  }
  return client;
}

/** How often PGlite's planner statistics are refreshed while the database is open. */
export const PGLITE_ANALYZE_INTERVAL_MS = 30 * 60 * 1000;

/**
 * PGlite runs no autovacuum, so its planner never learns table sizes on its own: without statistics the dashboard's
 * first-page query over 10,000 connections took p95 70 ms instead of 15-27 ms (npm run bench:dashboard). Analyze
 * once at open (milliseconds on a small database) and then every half hour, in the background.
 */
function keepStatisticsFresh(pglite: PgliteClient): () => void {
  const analyze = () => {
    if (pglite.closed) return;
    pglite.exec("analyze").catch((error: unknown) => {
      if (!pglite.closed)
        console.warn(`PGlite: analyze failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  };
  analyze();
  const timer = setInterval(analyze, PGLITE_ANALYZE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}

/**
 * PGlite is single-process: two instances on one folder corrupt it. A lock file holding our pid turns a second
 * opener (another process, or a second open in this one) into a clear error. A lock whose process is gone, or
 * that carries our own pid without being ours (a restarted container reusing the pid), is taken over.
 */
const lockedFolders: Set<string> = ((globalThis as { __portalPgliteLocks?: Set<string> }).__portalPgliteLocks ??=
  new Set());

function lockFolder(folder: string): () => void {
  if (lockedFolders.has(folder)) {
    throw new Error(`The PGlite database in ${folder} is already open in this process: share one instance (getDb()).`);
  }
  const lockPath = `${folder}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number.parseInt(readFileSync(lockPath, "utf8").trim(), 10);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `The PGlite database in ${folder} is in use by process ${holder}: stop it first, or set DATABASE_URL ` +
            `to use PostgreSQL. (If that process is not the portal, delete ${lockPath}.)`,
        );
      }
      rmSync(lockPath, { force: true });
      continue;
    }
    lockedFolders.add(folder);
    const release = () => {
      process.off("exit", release);
      lockedFolders.delete(folder);
      try {
        if (readFileSync(lockPath, "utf8").trim() === String(process.pid)) rmSync(lockPath, { force: true });
      } catch {
        // Already gone.
      }
    };
    process.on("exit", release);
    return release;
  }
  throw new Error(`Could not lock the PGlite database in ${folder}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const insidePgliteTransaction = new AsyncLocalStorage<{ open: boolean }>();

/**
 * Wraps PGlite's query, exec and transaction:
 * - PGlite queues every query behind an open transaction, so a query on the database (instead of on `tx`) from
 *   inside a transaction callback would wait forever. It fails at once instead, before it joins any queue.
 * - PGlite runs each query synchronously in this thread, and its queue hands the next query on without returning
 *   to the event loop: with many requests waiting, one turn of the loop ran all their queries back to back, and a
 *   connection opened meanwhile waited seconds for its first answer (npm run bench:token-api: up to 6 s at 64
 *   clients, while open connections were answered in 0.5 s). So every query, exec and transaction waits for its
 *   turn in one queue and for one turn of the event loop (setImmediate) before it starts: sockets are read and
 *   answers written between any two of them. (`takeTurns`; not needed when PGlite runs on its worker thread.)
 */
function guardQueries(client: PgliteClient, { takeTurns }: { takeTurns: boolean }) {
  const transaction = client.transaction.bind(client);
  const query = client.query.bind(client);
  const exec = client.exec.bind(client);
  let last: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(run: () => Promise<T>): Promise<T> => {
    if (!takeTurns) return run();
    const mine = last.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(run);
    last = mine.catch(() => undefined);
    return mine;
  };
  const refusal = (what: string) =>
    insidePgliteTransaction.getStore()?.open
      ? new Error(
          `${what} on the database inside db.transaction(): use the callback's \`tx\` (PGlite runs one ` +
            "transaction at a time, so this would wait for itself)",
        )
      : undefined;
  client.transaction = (async (callback) => {
    const refused = refusal("A nested transaction");
    if (refused) throw refused;
    const scope = { open: true };
    try {
      return await insidePgliteTransaction.run(scope, () => inTurn(() => transaction(callback)));
    } finally {
      // Work the callback left running may use the database once the transaction is over.
      scope.open = false;
    }
  }) as PGlite["transaction"];
  client.query = (async (...args: Parameters<PGlite["query"]>) => {
    const refused = refusal("A query");
    if (refused) throw refused;
    return inTurn(() => query(...args));
  }) as PGlite["query"];
  client.exec = (async (...args: Parameters<PGlite["exec"]>) => {
    const refused = refusal("A query");
    if (refused) throw refused;
    return inTurn(() => exec(...args));
  }) as PGlite["exec"];
}

// ---------------------------------------------------------------------------------------------------------------
// The process-wide instance. On globalThis: Next.js may evaluate a module more than once per process (route
// bundles, instrumentation, hot reload), and PGlite must be opened only once.

const shared = globalThis as typeof globalThis & { __portalDatabase?: Promise<Database> };

/**
 * The database shared by everything in this process, opened (and migrated) by the first caller with `opts`;
 * later callers get the same instance whatever they pass. Server code uses `getDb()` from `lib/db`; this is for
 * code that cannot import "server-only" modules (instrumentation, scripts).
 */
export function getSharedDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  if (!shared.__portalDatabase) {
    const opening = openDatabase(opts);
    shared.__portalDatabase = opening;
    // A failed open is not cached: the next caller tries again.
    opening.catch(() => {
      if (shared.__portalDatabase === opening) shared.__portalDatabase = undefined;
    });
  }
  return shared.__portalDatabase;
}

/** Close the shared database (tests, graceful shutdown); the next caller opens it again. */
export async function closeSharedDatabase(): Promise<void> {
  const opening = shared.__portalDatabase;
  shared.__portalDatabase = undefined;
  if (opening) await (await opening.catch(() => undefined))?.close();
}
