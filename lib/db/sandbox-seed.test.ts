import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { openClientSecret } from "@/lib/connections/tokens";
import { generateKey, parseKeyring } from "@/lib/crypto/secrets";
import { SANDBOX_DESK_APP } from "@/lib/sandbox";
import { openDatabase, type Database } from "./client";
import { seedSandbox } from "./sandbox-seed";
import { applications, auditEvents, organizations } from "./schema";

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../drizzle");
let database: Database | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
});

describe("seedSandbox", () => {
  it("registers the desk app (no redirect URL) once, with its secret encrypted, when asked to", async () => {
    database = await openDatabase({ dataDir: ":memory:", migrationsFolder });
    const keyring = parseKeyring(generateKey());
    await seedSandbox(database.db, { deskApp: keyring });
    await seedSandbox(database.db, { deskApp: keyring });
    const rows = await database.db.select().from(applications);
    expect(rows).toHaveLength(1);
    const [app] = rows;
    expect(app).toMatchObject({
      name: SANDBOX_DESK_APP.name,
      clientId: SANDBOX_DESK_APP.clientId,
      redirectMode: "oob",
      source: "registered",
      scopes: ["accounts", "library"],
    });
    expect(app!.clientSecretCiphertext).not.toContain(SANDBOX_DESK_APP.clientSecret);
    expect(openClientSecret(keyring, app!.id, app!.clientSecretCiphertext!)).toBe(SANDBOX_DESK_APP.clientSecret);
    const audit = await database.db.select().from(auditEvents);
    expect(audit.map((entry) => [entry.event, entry.actorLabel])).toEqual([["application_registered", "sandbox seed"]]);
  });

  it("leaves an existing sandbox alone: an admin's deleted desk app does not come back", async () => {
    database = await openDatabase({ dataDir: ":memory:", migrationsFolder });
    await seedSandbox(database.db);
    await seedSandbox(database.db, { deskApp: parseKeyring(generateKey()) });
    expect(await database.db.select().from(organizations)).toHaveLength(1);
    expect(await database.db.select().from(applications)).toHaveLength(0);
  });
});
