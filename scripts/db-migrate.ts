/**
 * `npm run db:migrate`: apply pending drizzle migrations to the configured database (DATABASE_URL, else PGlite
 * under DATA_DIR) and exit. The portal also migrates on start; this is for deployments that migrate first.
 */
import path from "node:path";
import { openDatabase } from "../lib/db/client";
import { readEnv } from "../lib/env";

async function main() {
  const { DATABASE_URL, DATA_DIR } = readEnv();
  const target = DATABASE_URL
    ? `PostgreSQL at ${describeUrl(DATABASE_URL)}`
    : `PGlite in ${path.resolve(DATA_DIR, "pglite")}`;
  console.log(`Applying migrations to ${target}…`);
  const database = await openDatabase({ url: DATABASE_URL, dataDir: DATA_DIR });
  await database.close();
  console.log("Database schema is up to date.");
}

/** Host, port and database only: never the credentials. */
function describeUrl(url: string): string {
  const { hostname, port, pathname } = new URL(url);
  return `${hostname}${port ? `:${port}` : ""}${pathname}`;
}

main().catch((error: unknown) => {
  console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
