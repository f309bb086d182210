import { defineConfig } from "drizzle-kit";

// `db:generate` needs no database. For `db:studio`, the same choice as the portal: DATABASE_URL, else the
// PGlite folder under DATA_DIR (stop the portal first: PGlite allows one process per folder).
const url = process.env.DATABASE_URL;

export default defineConfig({
  dialect: "postgresql",
  schema: "./lib/db/schema.ts",
  out: "./drizzle",
  strict: true,
  verbose: true,
  ...(url
    ? { dbCredentials: { url } }
    : { driver: "pglite", dbCredentials: { url: `${process.env.DATA_DIR || ".data"}/pglite` } }),
});
