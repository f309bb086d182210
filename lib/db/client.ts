import { mkdirSync } from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import type { Assume, ExtractTablesWithRelations } from "drizzle-orm";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { Pool } from "pg";
import { guardQueries, keepStatisticsFresh, lockFolder, startPglite, type PgliteClient } from "./pglite";
import { startPgliteWorker } from "./pglite-thread";
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

function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
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
