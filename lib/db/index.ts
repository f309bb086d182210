import "server-only";
import { resolveApicbaseSettings } from "@/lib/apicbase/config";
import { getKeyring } from "@/lib/connections/keyring";
import { env } from "@/lib/env";
import { closeSharedDatabase, getSharedDatabase, type Database } from "./client";
import { seedSandbox } from "./sandbox-seed";

export * from "./schema";
export type { Database, Db, DbExecutor, DbTransaction } from "./client";

// Per opened database, so a database closed and opened again (tests) is seeded again; the seed is idempotent.
const seeded = new WeakMap<Database, Promise<void>>();

/**
 * The process-wide database, opened on first use (never at module load: `next build` imports route modules)
 * with migrations applied once. PostgreSQL when DATABASE_URL is set, else PGlite under DATA_DIR. In the local
 * sandbox, the demo organization is seeded on first use.
 */
export async function getDb(): Promise<Database> {
  const config = env();
  const database = await getSharedDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
  if (resolveApicbaseSettings(config).target === "sandbox") {
    let seeding = seeded.get(database);
    if (!seeding) {
      // The bundled emulator (no APICBASE_BASE_URL) also knows the sandbox's desk app: register it for a fresh sandbox.
      const deskApp = !config.APICBASE_BASE_URL && config.TOKEN_ENCRYPTION_KEY ? getKeyring() : null;
      seeding = seedSandbox(database.db, { deskApp });
      seeded.set(database, seeding);
      // A failed seed is tried again by the next caller instead of failing every request.
      seeding.catch(() => seeded.delete(database));
    }
    await seeding;
  }
  return database;
}

/** Close the process-wide database (graceful shutdown, tests); the next getDb() opens it again. */
export const closeDb: () => Promise<void> = closeSharedDatabase;
