import "server-only";
import { env } from "@/lib/env";
import { closeSharedDatabase, getSharedDatabase, type Database } from "./client";

export * from "./schema";
export type { Database, Db, DbExecutor, DbTransaction } from "./client";

/**
 * The process-wide database, opened on first use (never at module load: `next build` imports route modules)
 * with migrations applied once. PostgreSQL when DATABASE_URL is set, else PGlite under DATA_DIR.
 */
export function getDb(): Promise<Database> {
  const { DATABASE_URL, DATA_DIR } = env();
  return getSharedDatabase({ url: DATABASE_URL, dataDir: DATA_DIR });
}

/** Close the process-wide database (graceful shutdown, tests); the next getDb() opens it again. */
export const closeDb: () => Promise<void> = closeSharedDatabase;
