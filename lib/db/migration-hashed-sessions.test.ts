/**
 * The migration that stores sessions as hashes (drizzle/*_hashed_sessions_bindings_attempts.sql), applied to a
 * database holding sessions of the old kind: nobody is signed out, and no token stays in the table.
 */
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { createPostgresDatabase, findPostgres, redactUrl, triedPostgresUrls } from "@/testing/postgres";
import { openDatabase, type Database } from "./client";
import { emailBindings, sessions, users } from "./schema";

const migrationsFolder = fileURLToPath(new URL("../../drizzle", import.meta.url));
type Journal = { entries: { idx: number; tag: string }[] };
const journal = JSON.parse(readFileSync(path.join(migrationsFolder, "meta/_journal.json"), "utf8")) as Journal;
const hashing = journal.entries.findIndex((entry) => entry.tag.endsWith("_hashed_sessions_bindings_attempts"));

/** The migrations folder as it was before the hashing migration. */
function foldersBefore(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "portal-migrations-"));
  cpSync(migrationsFolder, dir, { recursive: true });
  writeFileSync(
    path.join(dir, "meta/_journal.json"),
    JSON.stringify({ ...journal, entries: journal.entries.slice(0, hashing) }),
  );
  return dir;
}

const sha256 = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");
const tokens = ["x".repeat(43), "Ab_-".repeat(10) + "xyz"];

async function upgrade(open: (folder: string) => Promise<Database>) {
  const before = foldersBefore();
  const temporary: string[] = [before];
  try {
    const old = await open(before);
    const expires = new Date(Date.now() + 3600_000);
    // Raw SQL: the schema of this commit no longer describes the old table's meaning.
    const [user] = await old.db
      .insert(users)
      .values({ apicbaseUserId: 42, email: "Ada@Example.com", name: "Ada" })
      .returning();
    for (const token of tokens) {
      await old.db.execute(
        sql`insert into sessions (session_token, user_id, expires) values (${token}, ${user!.id}, ${expires})`,
      );
    }
    await old.close();
    const current = await open(migrationsFolder);
    return {
      current,
      userId: user!.id,
      cleanup: () => temporary.forEach((dir) => rmSync(dir, { recursive: true, force: true })),
    };
  } catch (error) {
    temporary.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
    throw error;
  }
}

async function expectUpgraded(current: Database, userId: string) {
  const rows = await current.db.select().from(sessions).where(eq(sessions.userId, userId));
  expect(rows.map((row) => row.sessionToken).sort()).toEqual(tokens.map(sha256).sort());
  expect(JSON.stringify(rows)).not.toContain("xxxx");
  // The e-mail the user held is bound to their Apicbase id.
  expect(
    await current.db.select({ email: emailBindings.email, id: emailBindings.apicbaseUserId }).from(emailBindings),
  ).toEqual([{ email: "ada@example.com", id: 42 }]);
}

const postgres = await findPostgres();

describe("hashing the sessions that exist at the migration", () => {
  it("finds the migration", () => expect(hashing).toBeGreaterThan(0));

  it("on PGlite: replaces each token by its SHA-256 (PGlite has sha256())", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "portal-upgrade-"));
    const { current, userId, cleanup } = await upgrade((folder) => openDatabase({ dataDir, migrationsFolder: folder }));
    try {
      await expectUpgraded(current, userId);
    } finally {
      await current.close();
      cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  const databases: { drop(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const database of databases) await database.drop();
  });
  it.skipIf(!postgres)(`on PostgreSQL (${postgres ? redactUrl(postgres) : triedPostgresUrls}): the same`, async () => {
    const database = await createPostgresDatabase(postgres!);
    databases.push(database);
    const { current, userId, cleanup } = await upgrade((folder) =>
      openDatabase({ url: database.url, migrationsFolder: folder }),
    );
    try {
      await expectUpgraded(current, userId);
    } finally {
      await current.close();
      cleanup();
    }
  });
});
