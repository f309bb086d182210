import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { and, asc, eq, isNull, lte, or, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SANDBOX_ORGANIZATION } from "../sandbox";
import {
  createPostgresDatabase,
  explicitPostgresUrl,
  findPostgres,
  redactUrl,
  triedPostgresUrls,
} from "@/testing/postgres";
import { until } from "@/testing/process";
import { openDatabase, type Database, type Db, type DbExecutor } from "./client";
import {
  applications,
  connections,
  memberships,
  organizations,
  users,
  type ConnectionStatus,
  type NewConnection,
} from "./schema";
import { PGLITE_WORKER } from "./pglite-thread";

const migrationsFolder = fileURLToPath(new URL("../../drizzle", import.meta.url));
const journal = JSON.parse(readFileSync(path.join(migrationsFolder, "meta/_journal.json"), "utf8")) as {
  entries: unknown[];
};
const TABLES = [
  "accounts",
  "api_keys",
  "api_proxy_usage",
  "apicbase_api_limits",
  "applications",
  "attempt_counters",
  "audit_events",
  "authorization_links",
  "bulk_job_items",
  "bulk_jobs",
  "connections",
  "email_bindings",
  "invitations",
  "memberships",
  "notification_digests",
  "notification_events",
  "organizations",
  "refresh_control",
  "sessions",
  "users",
  "verification_tokens",
  "webhook_deliveries",
  "webhook_delivery_attempts",
  "webhook_endpoints",
];

// ---------------------------------------------------------------------------------------------------------------
// Where PostgreSQL is: see testing/postgres.ts.

const postgresAdminUrl = await findPostgres();
const triedUrls = triedPostgresUrls;
const explicitUrl = explicitPostgresUrl;
if (!postgresAdminUrl && !explicitUrl) {
  console.warn(`PostgreSQL not reachable at ${triedUrls} — database tests ran on PGlite only`);
}

// ---------------------------------------------------------------------------------------------------------------
// Targets: the same behaviour is required of both drivers.

type Target = {
  kind: Database["kind"];
  open(): Promise<Database>;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
};

function pgliteTarget(): Target {
  let dir = "";
  return {
    kind: "pglite",
    async setUp() {
      dir = mkdtempSync(path.join(tmpdir(), "portal-db-test-"));
    },
    open: () => openDatabase({ dataDir: dir, migrationsFolder }),
    async tearDown() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresTarget(adminUrl: string): Target {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>> | undefined;
  return {
    kind: "postgres",
    async setUp() {
      database = await createPostgresDatabase(adminUrl);
    },
    open: () => openDatabase({ url: database!.url, migrationsFolder }),
    tearDown: async () => database?.drop(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Fixtures and helpers.

const unique = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

async function createOrganization(db: DbExecutor, name = unique("org")) {
  const [organization] = await db.insert(organizations).values({ name }).returning();
  return organization!;
}

async function createApplication(db: DbExecutor) {
  const [application] = await db
    .insert(applications)
    .values({ name: "Partner app", clientId: unique("client"), source: "environment", scopes: ["accounts", "library"] })
    .returning();
  return application!;
}

let nextLibraryId = 1000;
async function createConnection(db: DbExecutor, values: Partial<NewConnection> = {}) {
  const organizationId = values.organizationId ?? (await createOrganization(db)).id;
  const applicationId = values.applicationId ?? (await createApplication(db)).id;
  const [connection] = await db
    .insert(connections)
    .values({
      libraryId: nextLibraryId++,
      libraryName: "Bistro Nord",
      scopes: ["accounts", "library"],
      accessTokenCiphertext: "v1.k.iv.access.tag",
      refreshTokenCiphertext: "v1.k.iv.refresh.tag",
      ...values,
      organizationId,
      applicationId,
    })
    .returning();
  return connection!;
}

/** The PostgreSQL SQLSTATE a failed statement reports (drizzle wraps the driver's error in `cause`). */
async function sqlState(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    for (
      let e: unknown = error;
      e instanceof Error || (e && typeof e === "object");
      e = (e as { cause?: unknown }).cause
    ) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === "string") return code;
    }
    throw error;
  }
  return undefined;
}

const UNIQUE_VIOLATION = "23505";
const FOREIGN_KEY_VIOLATION = "23503";
const CHECK_VIOLATION = "23514";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------------------

function databaseBehaviour(target: Target) {
  let database: Database;
  let db: Db;

  beforeAll(async () => {
    await target.setUp();
    database = await target.open();
    db = database.db;
  });

  afterAll(async () => {
    await database?.close();
    await target.tearDown();
  });

  it("creates every table on a fresh database and records the migrations", async () => {
    const { rows } = await db.execute<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    expect(rows.map((row) => row.table_name)).toEqual(TABLES);
    const applied = await db.execute<{ count: number }>(
      sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
    );
    expect(applied.rows[0]?.count).toBe(journal.entries.length);
  });

  it("keeps its data across close and reopen, applying no migration twice", async () => {
    const organization = await createOrganization(db);
    await database.close();
    database = await target.open();
    db = database.db;

    const [found] = await db.select().from(organizations).where(eq(organizations.id, organization.id));
    expect(found?.name).toBe(organization.name);
    const applied = await db.execute<{ count: number }>(
      sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
    );
    expect(applied.rows[0]?.count).toBe(journal.entries.length);
  });

  it("allows one connection per library and organization", async () => {
    const first = await createConnection(db, { libraryId: 42 });
    expect(await sqlState(createConnection(db, { organizationId: first.organizationId, libraryId: 42 }))).toBe(
      UNIQUE_VIOLATION,
    );
    // The same library may be connected by another organization.
    const other = await createConnection(db, { libraryId: 42 });
    expect(other.organizationId).not.toBe(first.organizationId);
  });

  it("stores only the known connection statuses", async () => {
    const connection = await createConnection(db);
    expect(connection.status).toBe("active");
    expect(await sqlState(createConnection(db, { status: "expiring_soon" as ConnectionStatus }))).toBe(CHECK_VIOLATION);
    expect(
      await sqlState(
        db
          .update(connections)
          .set({ status: "expired" as ConnectionStatus })
          .where(eq(connections.id, connection.id)),
      ),
    ).toBe(CHECK_VIOLATION);
  });

  it("never keeps tokens on a revoked connection", async () => {
    const connection = await createConnection(db);
    const revoke = (tokens: { accessTokenCiphertext: string | null; refreshTokenCiphertext: string | null }) =>
      db
        .update(connections)
        .set({ status: "revoked", revokedAt: new Date(), revokeReason: "test", ...tokens })
        .where(eq(connections.id, connection.id))
        .returning();
    expect(await sqlState(revoke({ accessTokenCiphertext: null, refreshTokenCiphertext: "v1.x" }))).toBe(
      CHECK_VIOLATION,
    );
    const [revoked] = await revoke({ accessTokenCiphertext: null, refreshTokenCiphertext: null });
    expect(revoked?.status).toBe("revoked");
  });

  it("deletes an organization's memberships with it, but not its members", async () => {
    const organization = await createOrganization(db);
    const [user] = await db
      .insert(users)
      .values({ apicbaseUserId: Math.floor(Math.random() * 1e9), email: `${unique("u")}@example.test` })
      .returning();
    await db.insert(memberships).values({ userId: user!.id, organizationId: organization.id });
    expect((await db.select().from(memberships).where(eq(memberships.userId, user!.id)))[0]?.role).toBe("member");

    await db.delete(organizations).where(eq(organizations.id, organization.id));
    expect(await db.select().from(memberships).where(eq(memberships.userId, user!.id))).toEqual([]);
    expect(await db.select().from(users).where(eq(users.id, user!.id))).toHaveLength(1);
  });

  it("refuses to delete an organization that still has connections", async () => {
    const connection = await createConnection(db);
    expect(await sqlState(db.delete(organizations).where(eq(organizations.id, connection.organizationId)))).toBe(
      FOREIGN_KEY_VIOLATION,
    );
  });

  it("lets only one of two writers holding the same token_version store its tokens", async () => {
    const connection = await createConnection(db);
    const write = (refreshToken: string) =>
      db
        .update(connections)
        .set({ refreshTokenCiphertext: refreshToken, tokenVersion: sql`${connections.tokenVersion} + 1` })
        .where(and(eq(connections.id, connection.id), eq(connections.tokenVersion, connection.tokenVersion)))
        .returning({ tokenVersion: connections.tokenVersion });

    expect(await write("v1.first")).toEqual([{ tokenVersion: 1 }]);
    expect(await write("v1.stale")).toEqual([]);
    const [stored] = await db.select().from(connections).where(eq(connections.id, connection.id));
    expect(stored).toMatchObject({ refreshTokenCiphertext: "v1.first", tokenVersion: 1 });
  });

  it("runs concurrent read-increment-write transactions without losing an update", async () => {
    const connection = await createConnection(db);
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.transaction(async (tx) => {
          const [row] = await tx
            .select({ count: connections.refreshFailureCount })
            .from(connections)
            .where(eq(connections.id, connection.id))
            .for("update");
          await sleep(1);
          await tx
            .update(connections)
            .set({ refreshFailureCount: row!.count + 1 })
            .where(eq(connections.id, connection.id));
        }),
      ),
    );
    const [stored] = await db.select().from(connections).where(eq(connections.id, connection.id));
    expect(stored?.refreshFailureCount).toBe(20);
  });

  it("keeps other callers' statements out of an open transaction", async () => {
    const rolledBack = unique("rolled-back");
    const outside = unique("outside");
    let inserted!: () => void;
    const insertedInTransaction = new Promise<void>((resolve) => (inserted = resolve));

    const transaction = db.transaction(async (tx) => {
      await tx.insert(organizations).values({ name: rolledBack });
      inserted();
      await sleep(50);
      throw new Error("roll back");
    });
    await insertedInTransaction;
    // Sent now, while the transaction is open.
    const outsideInsert = db.insert(organizations).values({ name: outside }).execute();

    await expect(transaction).rejects.toThrow("roll back");
    await outsideInsert;
    const names = (await db.select({ name: organizations.name }).from(organizations)).map((row) => row.name);
    expect(names).toContain(outside);
    expect(names).not.toContain(rolledBack);
  });

  it("round-trips timestamps as UTC Date objects", async () => {
    const expiresAt = new Date("2026-03-29T01:30:00.123Z");
    const connection = await createConnection(db, { accessTokenExpiresAt: expiresAt });
    const [stored] = await db.select().from(connections).where(eq(connections.id, connection.id));
    expect(stored?.accessTokenExpiresAt).toBeInstanceOf(Date);
    expect(stored?.accessTokenExpiresAt?.toISOString()).toBe("2026-03-29T01:30:00.123Z");
    expect(stored?.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(stored!.createdAt.getTime() - Date.now())).toBeLessThan(60_000);

    const { rows } = await db.execute<{ zone: string; text: string }>(
      sql`select current_setting('TimeZone') as zone, ${connections.accessTokenExpiresAt}::text as text
          from ${connections} where ${connections.id} = ${connection.id}`,
    );
    expect(rows[0]).toEqual({ zone: "UTC", text: "2026-03-29 01:30:00.123+00" });
  });

  it("claims due connections with FOR UPDATE SKIP LOCKED", async () => {
    const organization = await createOrganization(db);
    const application = await createApplication(db);
    const due = new Date(Date.now() - 60_000);
    const created = await Promise.all(
      [0, 1, 2].map((i) =>
        createConnection(db, {
          organizationId: organization.id,
          applicationId: application.id,
          nextRefreshAt: new Date(due.getTime() + i),
        }),
      ),
    );

    const claim = (owner: string, limit: number) =>
      db.transaction(async (tx) => {
        const now = new Date();
        const rows = await tx
          .select({ id: connections.id })
          .from(connections)
          .where(
            and(
              eq(connections.organizationId, organization.id),
              lte(connections.nextRefreshAt, now),
              or(isNull(connections.leaseExpiresAt), lte(connections.leaseExpiresAt, now)),
            ),
          )
          .orderBy(asc(connections.nextRefreshAt))
          .limit(limit)
          .for("update", { skipLocked: true });
        for (const row of rows) {
          await tx
            .update(connections)
            .set({ leaseOwner: owner, leaseExpiresAt: new Date(now.getTime() + 60_000) })
            .where(eq(connections.id, row.id));
        }
        return rows.map((row) => row.id);
      });

    const first = await claim("worker-a", 2);
    const second = await claim("worker-b", 2);
    expect(first).toEqual([created[0]!.id, created[1]!.id]);
    expect(second).toEqual([created[2]!.id]);
    expect(await claim("worker-c", 2)).toEqual([]);
  });

  it.runIf(target.kind === "postgres")("skips rows another open transaction has locked (PostgreSQL)", async () => {
    const connection = await createConnection(db, { nextRefreshAt: new Date(Date.now() - 1000) });
    const lockedRows = (tx: DbExecutor) =>
      tx
        .select({ id: connections.id })
        .from(connections)
        .where(eq(connections.id, connection.id))
        .for("update", { skipLocked: true });

    let locked!: () => void;
    const holding = new Promise<void>((resolve) => (locked = resolve));
    const holder = db.transaction(async (tx) => {
      expect(await lockedRows(tx)).toHaveLength(1);
      locked();
      await sleep(100);
    });
    await holding;
    expect(await db.transaction((tx) => lockedRows(tx))).toEqual([]);
    await holder;
    expect(await db.transaction((tx) => lockedRows(tx))).toHaveLength(1);
  });
}

// ---------------------------------------------------------------------------------------------------------------

describe("database on PGlite", () => {
  databaseBehaviour(pgliteTarget());
});

if (postgresAdminUrl || !explicitUrl) {
  describe.skipIf(!postgresAdminUrl)(
    `database on PostgreSQL (${postgresAdminUrl ? redactUrl(postgresAdminUrl) : triedUrls})`,
    () => {
      databaseBehaviour(postgresTarget(postgresAdminUrl ?? ""));
    },
  );
} else {
  describe("database on PostgreSQL", () => {
    it("is reachable at TEST_DATABASE_URL", () => {
      throw new Error(`TEST_DATABASE_URL is set but PostgreSQL is not reachable at ${triedUrls}`);
    });
  });
}

describe("PGlite specifics", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "portal-pglite-test-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("creates its folder and allows one instance per folder", async () => {
    const dataDir = path.join(dir, "nested", "data");
    const lockFile = path.join(dataDir, "pglite.lock");
    const database = await openDatabase({ dataDir, migrationsFolder });
    try {
      expect(database.kind).toBe("pglite");
      expect(existsSync(path.join(dataDir, "pglite", "PG_VERSION"))).toBe(true);
      // A second instance would corrupt the files: refused.
      await expect(openDatabase({ dataDir, migrationsFolder })).rejects.toThrow(/already open in this process/);
      await createOrganization(database.db);
    } finally {
      await database.close();
    }
    expect(existsSync(lockFile)).toBe(false);

    // A lock left behind by a process that is gone does not keep the portal from starting.
    writeFileSync(lockFile, "999999999");
    const reopened = await openDatabase({ dataDir, migrationsFolder });
    try {
      expect(await reopened.db.select().from(organizations)).toHaveLength(1);
    } finally {
      await reopened.close();
    }
  });

  it("getDb() opens nothing at import, then one shared instance per process from the environment", async () => {
    const dataDir = path.join(dir, "from-env");
    const saved = {
      DATABASE_URL: process.env.DATABASE_URL,
      DATA_DIR: process.env.DATA_DIR,
      AUTH_APICBASE_ID: process.env.AUTH_APICBASE_ID,
    };
    process.env.DATABASE_URL = "";
    process.env.AUTH_APICBASE_ID = "";
    process.env.DATA_DIR = dataDir;
    try {
      const { getDb, closeDb } = await import("./index");
      expect(existsSync(dataDir)).toBe(false);
      const [first, second] = await Promise.all([getDb(), getDb()]);
      expect(first).toBe(second);
      expect(first.kind).toBe("pglite");
      expect(existsSync(path.join(dataDir, "pglite", "PG_VERSION"))).toBe(true);
      // getDb() seeds nothing: the server seeds the local sandbox (no Apicbase configured) when it starts.
      expect(await first.db.select().from(organizations)).toEqual([]);
      const { seedLocalSandbox } = await import("./sandbox-seed");
      const { readEnv } = await import("../env");
      expect(await seedLocalSandbox(readEnv())).toBe(true);
      expect((await first.db.select().from(organizations)).map((row) => row.name)).toEqual([SANDBOX_ORGANIZATION.name]);
      await closeDb();
      expect(existsSync(path.join(dataDir, "pglite.lock"))).toBe(false);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it.each([
    ["in memory, on this thread", ":memory:"],
    ["in a folder, on its worker thread", "deadlock"],
  ])(
    "works %s, and fails fast instead of waiting forever when a transaction uses db instead of tx",
    async (_, name) => {
      const database = await openDatabase({
        dataDir: name === ":memory:" ? name : path.join(dir, name),
        migrationsFolder,
      });
      const { db } = database;
      const refused = (pattern: RegExp) =>
        expect.objectContaining({ cause: expect.objectContaining({ message: expect.stringMatching(pattern) }) });
      try {
        await expect(
          db.transaction(async () => {
            await db.select().from(organizations);
          }),
        ).rejects.toThrow(refused(/use the callback's `tx`/));
        await expect(db.transaction(() => db.transaction(async () => {}))).rejects.toThrow(/nested transaction/);

        // Savepoints through tx still work, and the database stays usable.
        const name = unique("savepoint");
        await db.transaction(async (tx) => {
          await tx.transaction(async (inner) => {
            await inner.insert(organizations).values({ name });
          });
        });
        expect(await db.select({ name: organizations.name }).from(organizations)).toEqual([{ name }]);
      } finally {
        await database.close();
      }
    },
  );
  it("runs a folder's PGlite on a worker thread: errors keep their fields, transactions hold others back", async () => {
    const database = await openDatabase({ dataDir: path.join(dir, "worker"), migrationsFolder });
    const memory = await openDatabase({ dataDir: ":memory:", migrationsFolder });
    const { db } = database;
    try {
      const client = (opened: Database) => (opened.db as unknown as { $client: unknown }).$client;
      expect(client(database)).not.toBeInstanceOf(PGlite);
      expect(client(memory)).toBeInstanceOf(PGlite);

      // A constraint violation arrives with PostgreSQL's fields, as the code that checks them expects.
      const organization = await createOrganization(db);
      const violation = await db
        .insert(memberships)
        .values({ userId: randomUUID(), organizationId: organization.id, role: "member" })
        .then(
          () => undefined,
          (error: unknown) => (error as { cause?: Record<string, unknown> }).cause,
        );
      expect(violation).toMatchObject({ code: FOREIGN_KEY_VIOLATION, constraint: expect.any(String) });
      expect(violation).toBeInstanceOf(Error);

      // Timestamps come back as dates (drizzle's text parsers crossed as a list of types), bytes as bytes.
      const { rows } = await db.execute<{ at: string; bytes: Uint8Array }>(
        sql`select now() as at, '\\x0102'::bytea as bytes`,
      );
      expect(typeof rows[0]?.at).toBe("string");
      expect(Array.from(rows[0]?.bytes ?? [])).toEqual([1, 2]);
      expect(organization.createdAt).toBeInstanceOf(Date);

      // A query from outside waits until the open transaction has committed, then sees its row.
      const name = unique("tx");
      const order: string[] = [];
      let inside: () => void = () => {};
      const begun = new Promise<void>((resolve) => (inside = resolve));
      const transaction = db.transaction(async (tx) => {
        await tx.insert(organizations).values({ name });
        inside();
        await sleep(150);
        order.push("commit");
      });
      await begun;
      const outside = db
        .select({ name: organizations.name })
        .from(organizations)
        .where(eq(organizations.name, name))
        .then((found) => {
          order.push("outside");
          return found;
        });
      await transaction;
      expect(await outside).toEqual([{ name }]);
      expect(order).toEqual(["commit", "outside"]);

      // A callback that throws rolls back, and the database stays usable.
      const rolledBack = unique("rolled-back");
      await expect(
        db.transaction(async (tx) => {
          await tx.insert(organizations).values({ name: rolledBack });
          throw new Error("changed my mind");
        }),
      ).rejects.toThrow("changed my mind");
      expect(await db.select().from(organizations).where(eq(organizations.name, rolledBack))).toEqual([]);

      // Once closed, a query is refused at once, on either thread, as PGlite itself refuses it.
      for (const closed of [database, memory]) {
        await closed.close();
        await expect(closed.db.select().from(organizations)).rejects.toThrow(
          expect.objectContaining({ cause: expect.objectContaining({ message: "PGlite is closed" }) }),
        );
      }
    } finally {
      await memory.close();
      await database.close();
    }
  });

  it("starts a crashed PGlite worker again on the same folder: committed rows kept, the open transaction lost", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const database = await openDatabase({ dataDir: path.join(dir, "crash"), migrationsFolder });
    const { db } = database;
    const worker = () => (db as unknown as { $client: { [PGLITE_WORKER]: Worker } }).$client[PGLITE_WORKER];
    try {
      const kept = await createOrganization(db);
      let inside: () => void = () => {};
      const begun = new Promise<void>((resolve) => (inside = resolve));
      let crash: () => void = () => {};
      const crashed = new Promise<void>((resolve) => (crash = resolve));
      const transaction = db.transaction(async (tx) => {
        await tx.insert(organizations).values({ name: "lost with the crash" });
        inside();
        await crashed;
        await tx.insert(organizations).values({ name: "after the crash" });
      });
      await begun;
      const first = worker();
      await first.terminate();
      crash();
      await expect(transaction).rejects.toThrow();
      expect(worker()).not.toBe(first);
      expect((await db.select({ id: organizations.id }).from(organizations)).map((row) => row.id)).toEqual([kept.id]);
      expect(errors).toHaveBeenCalledWith(expect.stringMatching(/stopped \(exit code 1\).*starting it again/));

      // Stopping again and again within a minute: no further start, every request fails naming the cause.
      await worker().terminate();
      await until(
        "the second restart",
        async () =>
          (
            await db
              .select()
              .from(organizations)
              .catch(() => [])
          ).length > 0,
      );
      await worker().terminate();
      await expect(db.select().from(organizations)).rejects.toThrow(
        expect.objectContaining({
          cause: expect.objectContaining({ message: expect.stringMatching(/thread stopped/) }),
        }),
      );
      expect(errors).toHaveBeenLastCalledWith(expect.stringMatching(/3 times within a minute: every database request/));
    } finally {
      await database.close();
      errors.mockRestore();
    }
  });

  it("does not keep a script alive once its queries are answered, and keeps it alive while one is awaited", async () => {
    const script = path.join(dir, "idle-script.mts");
    const client = fileURLToPath(new URL("./client.ts", import.meta.url));
    writeFileSync(
      script,
      `import { openDatabase } from ${JSON.stringify(client)};\n` +
        `const database = await openDatabase({ dataDir: ${JSON.stringify(path.join(dir, "script"))}, ` +
        `migrationsFolder: ${JSON.stringify(migrationsFolder)} });\n` +
        `const { rows } = await database.db.execute("select 42 as answer");\n` +
        `console.log("answer", rows[0].answer);\n`,
    );
    const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));
    const started = Date.now();
    const { stdout, status } = spawnSync(tsx, [script], { encoding: "utf8", timeout: 60_000 });
    expect(stdout.trim()).toBe("answer 42");
    expect(status).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
  });
  it("lets the event loop turn between any two queries, so waiting sockets are served in between", async () => {
    const database = await openDatabase({ dataDir: ":memory:", migrationsFolder });
    try {
      // A ticker that counts turns of the event loop while 20 queued queries run. PGlite alone would run them all
      // in one turn (its queue hands on by promise callbacks).
      let turns = 0;
      let running = true;
      const tick = () => {
        turns++;
        if (running) setImmediate(tick);
      };
      setImmediate(tick);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => database.db.execute(sql`select ${i}::int as n`)),
      );
      running = false;
      expect(results.map((r) => r.rows[0])).toEqual(Array.from({ length: 20 }, (_, n) => ({ n })));
      expect(turns).toBeGreaterThanOrEqual(20);
    } finally {
      await database.close();
    }
  });
});
