import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { deskAppRegistration, openTestDb, testAdmin } from "@/testing/dal";
import { startEmulator } from "@/emulator/testing";
import { getKeyring } from "@/lib/connections/keyring";
import { openClientSecret, sealClientSecret } from "@/lib/connections/tokens";
import { SecretDecryptionError } from "@/lib/crypto/secrets";
import { applications, auditEvents, closeDb, connections, organizations, type Db } from "@/lib/db";
import { SANDBOX_DESK_APP, SANDBOX_PARTNER_APP } from "@/lib/sandbox";
import {
  applicationsForNewConnections,
  deleteApplication,
  listApplications,
  registerApplication,
  replaceApplicationSecret,
  setApplicationDisabled,
  testApplicationCredentials,
} from "./applications";
import type { Admin } from "./session";

let emulator: Awaited<ReturnType<typeof startEmulator>>;
let db: Db;
let admin: Admin;

const WRONG_SECRET = "wrong-desk-secret-0001";

beforeAll(async () => {
  emulator = await startEmulator();
  db = await openTestDb({ apicbaseUrl: emulator.url });
  admin = await testAdmin(db);
});

afterAll(async () => {
  await closeDb();
  await emulator?.close();
  vi.unstubAllEnvs();
});

async function register(overrides: Partial<Parameters<typeof registerApplication>[1]> = {}) {
  const result = await registerApplication(admin, { ...deskAppRegistration(WRONG_SECRET), ...overrides });
  if (result.outcome !== "registered") throw new Error(`not registered: ${result.outcome}`);
  return result.id;
}

async function rowOf(id: string) {
  const [row] = await db.select().from(applications).where(eq(applications.id, id));
  return row!;
}

describe("registering an application", () => {
  it("stores the secret encrypted and bound to its row, lists the environment's application first, never the secret", async () => {
    const id = await register();
    const row = await rowOf(id);
    expect(row.clientSecretCiphertext).not.toContain(WRONG_SECRET);
    expect(openClientSecret(getKeyring(), id, row.clientSecretCiphertext!)).toBe(WRONG_SECRET);
    // Copied to another application's row, the ciphertext does not decrypt.
    expect(() => openClientSecret(getKeyring(), crypto.randomUUID(), row.clientSecretCiphertext!)).toThrow(
      SecretDecryptionError,
    );

    const listed = await listApplications(admin);
    expect(listed.map((a) => [a.source, a.clientId])).toEqual([
      ["environment", SANDBOX_PARTNER_APP.clientId],
      ["registered", SANDBOX_DESK_APP.clientId],
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/secret|ciphertext/i);
    expect(listed[1]).toMatchObject({
      name: "Desk app",
      redirectMode: "oob",
      scopes: ["accounts", "library"],
      connectionCount: 0,
      credentialsCheck: null,
    });

    const [audit] = await db.select().from(auditEvents).where(eq(auditEvents.event, "application_registered"));
    expect(audit).toMatchObject({ actorUserId: admin.id, outcome: "success" });
    expect(JSON.stringify(audit)).not.toContain(WRONG_SECRET);
    await deleteApplication(admin, id);
  });

  it("refuses a client id that is already registered, the environment's included", async () => {
    const id = await register();
    expect(
      await registerApplication(admin, {
        name: "Again",
        clientId: SANDBOX_DESK_APP.clientId,
        clientSecret: "x".repeat(20),
        redirectMode: "oob",
        scopes: ["accounts"],
      }),
    ).toEqual({
      outcome: "client_id_taken",
      takenBy: "Desk app",
    });
    const environment = await registerApplication(admin, {
      name: "Copy",
      clientId: SANDBOX_PARTNER_APP.clientId,
      clientSecret: "x".repeat(20),
      redirectMode: "redirect",
      scopes: ["accounts"],
    });
    expect(environment).toEqual({ outcome: "client_id_taken", takenBy: SANDBOX_PARTNER_APP.name });
    await deleteApplication(admin, id);
  });
});

describe("Test credentials and Replace secret", () => {
  it("tells wrong credentials, then fine ones after the secret is replaced, and keeps the result on the row", async () => {
    const id = await register();
    const wrong = await testApplicationCredentials(admin, id);
    expect(wrong).toMatchObject({ outcome: "checked", check: { result: "rejected", apicbaseError: "invalid_client" } });
    expect((await rowOf(id)).credentialsCheck).toMatchObject({ result: "rejected" });

    expect(await replaceApplicationSecret(admin, id, SANDBOX_DESK_APP.clientId)).toBe("same_as_client_id");
    expect(await replaceApplicationSecret(admin, id, SANDBOX_DESK_APP.clientSecret)).toBe("replaced");
    // The old result was about the old secret.
    expect((await rowOf(id)).credentialsCheck).toBeNull();
    const fine = await testApplicationCredentials(admin, id);
    expect(fine).toMatchObject({ outcome: "checked", check: { result: "accepted", apicbaseError: "invalid_grant" } });

    const tested = await db.select().from(auditEvents).where(eq(auditEvents.event, "application_credentials_tested"));
    expect(tested.map((e) => [e.outcome, e.apicbaseError])).toEqual([
      ["failure", "invalid_client"],
      ["success", "invalid_grant"],
    ]);
    const everything = JSON.stringify(await db.select().from(auditEvents));
    expect(everything).not.toContain(WRONG_SECRET);
    expect(everything).not.toContain(SANDBOX_DESK_APP.clientSecret);
    await deleteApplication(admin, id);
  });

  it("tests the environment's application with the environment's secret, and cannot replace it", async () => {
    const [environment] = await listApplications(admin);
    expect(await testApplicationCredentials(admin, environment!.id)).toMatchObject({
      outcome: "checked",
      check: { result: "accepted" },
    });
    expect(await replaceApplicationSecret(admin, environment!.id, "y".repeat(20))).toBe("not_found");
    expect(await setApplicationDisabled(admin, environment!.id, true)).toEqual({ outcome: "not_found" });
    expect(await deleteApplication(admin, environment!.id)).toEqual({ outcome: "not_found" });
  });

  it("says so when the stored secret cannot be decrypted any more", async () => {
    const id = await register({ clientId: "unreadable-app" });
    await db
      .update(applications)
      .set({ clientSecretCiphertext: sealClientSecret(getKeyring(), crypto.randomUUID(), "z".repeat(20)) })
      .where(eq(applications.id, id));
    expect(await testApplicationCredentials(admin, id)).toEqual({ outcome: "secret_unreadable", name: "Desk app" });
    await deleteApplication(admin, id);
  });
});

describe("disabling and deleting", () => {
  it("disables and enables, offering only enabled applications for new connections", async () => {
    const id = await register({ clientId: "toggle-app", name: "Toggle app" });
    const offered = async () => (await applicationsForNewConnections(admin)).map((a) => a.name);
    expect(await offered()).toContain("Toggle app");
    expect(await setApplicationDisabled(admin, id, true)).toEqual({ outcome: "changed", name: "Toggle app" });
    expect(await setApplicationDisabled(admin, id, true)).toEqual({ outcome: "unchanged", name: "Toggle app" });
    expect(await offered()).not.toContain("Toggle app");
    expect(await setApplicationDisabled(admin, id, false)).toEqual({ outcome: "changed", name: "Toggle app" });
    const events = (await db.select().from(auditEvents))
      .map((e) => e.event)
      .filter((e) => /application_(dis|en)abled/.test(e));
    expect(events).toEqual(["application_disabled", "application_enabled"]);
    await deleteApplication(admin, id);
  });

  it("refuses to delete an application with connections, and deletes it once they are gone", async () => {
    const id = await register({ clientId: "busy-app", name: "Busy app" });
    const [organization] = await db.insert(organizations).values({ name: "Deletion test" }).returning();
    const rows = await db
      .insert(connections)
      .values(
        [101, 102].map((libraryId) => ({
          organizationId: organization!.id,
          applicationId: id,
          libraryId,
          libraryName: `Library ${libraryId}`,
        })),
      )
      .returning({ id: connections.id });

    expect(await deleteApplication(admin, id)).toEqual({
      outcome: "has_connections",
      name: "Busy app",
      connections: 2,
    });
    expect(await rowOf(id)).toBeDefined();
    expect((await listApplications(admin)).find((a) => a.id === id)?.connectionCount).toBe(2);

    for (const row of rows) await db.delete(connections).where(eq(connections.id, row.id));
    expect(await deleteApplication(admin, id)).toEqual({ outcome: "deleted", name: "Busy app" });
    expect(await deleteApplication(admin, id)).toEqual({ outcome: "not_found" });
    const [deleted] = await db.select().from(auditEvents).where(eq(auditEvents.event, "application_deleted"));
    expect(deleted?.detail).toMatchObject({ name: expect.any(String), clientId: expect.any(String) });
  });
});
