import "server-only";
import { env } from "@/lib/env";
import { closeSharedDatabase, getSharedDatabase, type Database } from "./client";

export * from "./schema";
export { pick } from "./columns";
export type { Database, Db, DbExecutor, DbTransaction } from "./client";

/**
 * The process-wide database, opened on first use (never at module load: `next build` imports route modules)
 * with migrations applied once. PostgreSQL when DATABASE_URL is set, else PGlite under DATA_DIR. The local
 * sandbox's demo data is seeded at server start (seedLocalSandbox in ./sandbox-seed.ts), not here.
 */
export async function getDb(): Promise<Database> {
  const config = env();
  return getSharedDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
}

/** Close the process-wide database (graceful shutdown, tests); the next getDb() opens it again. */
export const closeDb: () => Promise<void> = closeSharedDatabase;
