import { AsyncLocalStorage } from "node:async_hooks";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
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
};

export const MEMORY = ":memory:";

export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<Database> {
  const migrationsFolder = opts.migrationsFolder ?? path.join(process.cwd(), "drizzle");
  return opts.url
    ? openPostgres(opts.url, opts.migrate !== false, migrationsFolder, opts.poolMax ?? 10)
    : openPglite(opts.dataDir ?? ".data", opts.migrate !== false, migrationsFolder);
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

async function openPglite(dataDir: string, migrate: boolean, migrationsFolder: string): Promise<Database> {
  let folder: string | undefined;
  let releaseLock = () => {};
  if (dataDir !== MEMORY) {
    folder = path.resolve(dataDir, "pglite");
    // PGlite does not create parent folders.
    mkdirSync(folder, { recursive: true });
    releaseLock = lockFolder(folder);
  }
  let client: PGlite | undefined;
  try {
    // pg_trgm: the trigram index behind the dashboard's library name search (migration 0011).
    client = new PGlite(folder, { extensions: { pg_trgm } });
    await client.waitReady;
    await client.exec("set time zone 'UTC'");
    guardQueries(client);
    const pgliteDb = drizzlePglite(client, { schema });
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

/** How often PGlite's planner statistics are refreshed while the database is open. */
export const PGLITE_ANALYZE_INTERVAL_MS = 30 * 60 * 1000;

/**
 * PGlite runs no autovacuum, so its planner never learns table sizes on its own: without statistics the dashboard's
 * first-page query over 10,000 connections took p95 70 ms instead of 15-27 ms (npm run bench:dashboard). Analyze
 * once at open (milliseconds on a small database) and then every half hour, in the background.
 */
function keepStatisticsFresh(pglite: PGlite): () => void {
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
 *   answers written between any two of them.
 */
function guardQueries(client: PGlite) {
  const transaction = client.transaction.bind(client);
  const query = client.query.bind(client);
  const exec = client.exec.bind(client);
  let last: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(run: () => Promise<T>): Promise<T> => {
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
