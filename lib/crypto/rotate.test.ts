import { randomUUID } from "node:crypto";
import { eq, getTableColumns, isTable } from "drizzle-orm";
import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openTokens } from "@/lib/connections/tokens";
import * as schema from "@/lib/db/schema";
import { applications, authorizationLinks, bulkJobItems, bulkJobs } from "@/lib/db/schema";
import { refreshConnection } from "@/lib/lifecycle/refresh";
import {
  createPostgresDatabase,
  findPostgres,
  lifecycleFixture,
  type LifecycleFixture,
} from "@/testing/lifecycle-fixtures";
import { redactUrl, triedPostgresUrls } from "@/testing/postgres";
import { bulkLinkAad, clientSecretAad, codeVerifierAad } from "./associated-data";
import { countByKeyId, rotateSealedColumns } from "./rotate";
import { SEALED_COLUMNS } from "./sealed-columns";
import { decryptSecret, encryptSecret, generateKey, parseKeyring, type Keyring } from "./secrets";

describe("the list of sealed columns", () => {
  it("names every *_ciphertext column of the schema, so keys:rotate misses none", () => {
    const inSchema = (Object.values(schema) as unknown[])
      .filter((value): value is PgTable => isTable(value))
      .flatMap((table) => {
        const { name } = getTableConfig(table);
        return Object.values(getTableColumns(table))
          .filter((column) => column.name.endsWith("_ciphertext"))
          .map((column) => `${name}.${column.name}`);
      });
    expect(SEALED_COLUMNS.map((column) => column.label).sort()).toEqual(inSchema.sort());
  });
});

function rotation(label: string, databaseUrl?: () => string | undefined) {
  describe(`keys:rotate on ${label}`, () => {
    let fixture: LifecycleFixture;
    let oldKeyring: Keyring;
    let newKeyring: Keyring;
    let newOnly: Keyring;

    beforeAll(async () => {
      fixture = await lifecycleFixture({ databaseUrl: databaseUrl?.() });
      oldKeyring = fixture.keyring;
      const fresh = generateKey();
      newKeyring = parseKeyring(
        `fresh:${fresh},${oldKeyring.current.kid}:${oldKeyring.current.key.toString("base64")}`,
      );
      newOnly = parseKeyring(`fresh:${fresh}`);
    }, 180_000);
    afterAll(() => fixture?.close());
    beforeEach(async () => {
      await fixture.reset();
      await fixture.db.delete(authorizationLinks);
      await fixture.db.delete(bulkJobs);
      await fixture.db.delete(applications).where(eq(applications.source, "registered"));
    });

    /** A finished bulk re-authorization links job's item, holding its link's secret as the runner seals it. */
    async function bulkItemWithLink(keyring: Keyring, connectionId: string, secret: string) {
      const jobId = randomUUID();
      await fixture.db.insert(bulkJobs).values({
        id: jobId,
        organizationId: fixture.organizationId,
        action: "reauthorization_links",
        status: "done",
        createdByLabel: "rotation test",
        selection: "selected",
        matched: 1,
        total: 1,
      });
      const itemId = randomUUID();
      await fixture.db.insert(bulkJobItems).values({
        id: itemId,
        jobId,
        connectionId,
        organizationId: fixture.organizationId,
        status: "done",
        result: "link_created",
        linkCiphertext: encryptSecret(keyring, secret, bulkLinkAad(itemId)),
      });
      return itemId;
    }

    async function registeredApplication(keyring: Keyring, secret: string) {
      const id = randomUUID();
      await fixture.db.insert(applications).values({
        id,
        name: `App ${id.slice(0, 4)}`,
        clientId: `client-${id}`,
        clientSecretCiphertext: encryptSecret(keyring, secret, clientSecretAad(id)),
        source: "registered",
      });
      return id;
    }

    async function linkWithVerifier(keyring: Keyring, verifier: string) {
      const id = randomUUID();
      await fixture.db.insert(authorizationLinks).values({
        id,
        tokenHash: randomUUID(),
        organizationId: fixture.organizationId,
        applicationId: fixture.applicationId,
        state: randomUUID(),
        codeVerifierCiphertext: encryptSecret(keyring, verifier, codeVerifierAad(id)),
        expiresAt: new Date(Date.now() + 3600_000),
      });
      return id;
    }

    it("re-encrypts tokens, client secrets, link verifiers and bulk jobs' links under the first key, in batches, and can run again", async () => {
      const ids = await fixture.insertConnections(5);
      const before = new Map(
        await Promise.all(ids.map(async (id) => [id, openTokens(oldKeyring, await fixture.row(id))!] as const)),
      );
      const versions = new Map(
        await Promise.all(ids.map(async (id) => [id, (await fixture.row(id)).tokenVersion] as const)),
      );
      const appId = await registeredApplication(oldKeyring, "s3cret-of-the-app");
      const linkId = await linkWithVerifier(oldKeyring, "verifier-".repeat(5));
      const itemIds = [
        await bulkItemWithLink(oldKeyring, ids[0]!, "link-secret-one".repeat(3)),
        await bulkItemWithLink(oldKeyring, ids[1]!, "link-secret-two".repeat(3)),
      ];

      const batches: string[] = [];
      const report = await rotateSealedColumns(fixture.db, newKeyring, {
        batchSize: 2,
        onBatch: (column) => batches.push(column),
      });
      expect(report.columns.map((column) => [column.label, column.rotated, column.byKeyId])).toEqual([
        ["connections.access_token_ciphertext", 5, { fresh: 5 }],
        ["connections.refresh_token_ciphertext", 5, { fresh: 5 }],
        ["applications.client_secret_ciphertext", 1, { fresh: 1 }],
        ["authorization_links.code_verifier_ciphertext", 1, { fresh: 1 }],
        ["webhook_endpoints.secret_ciphertext", 0, {}],
        ["webhook_endpoints.previous_secret_ciphertext", 0, {}],
        ["bulk_job_items.link_ciphertext", 2, { fresh: 2 }],
      ]);
      expect(batches.filter((column) => column === "connections.access_token_ciphertext")).toHaveLength(3);
      expect(report.byKeyId).toEqual({ fresh: 14 });
      expect(report.unusedKeyIds).toEqual([oldKeyring.current.kid]);

      // Readable with the new key alone, the same secrets, and the token versions untouched.
      for (const id of ids) {
        const row = await fixture.row(id);
        expect(openTokens(newOnly, row)).toEqual(before.get(id));
        expect(row.tokenVersion).toBe(versions.get(id));
      }
      const [app] = await fixture.db.select().from(applications).where(eq(applications.id, appId));
      expect(decryptSecret(newOnly, app!.clientSecretCiphertext!, clientSecretAad(appId))).toBe("s3cret-of-the-app");
      const [link] = await fixture.db.select().from(authorizationLinks).where(eq(authorizationLinks.id, linkId));
      expect(decryptSecret(newOnly, link!.codeVerifierCiphertext!, codeVerifierAad(linkId))).toBe(
        "verifier-".repeat(5),
      );
      // The bulk job's links: under the new key, each still bound to its own item (its id is the associated data).
      const items = await fixture.db.select().from(bulkJobItems);
      const secrets = new Map(items.map((item) => [item.id, item.linkCiphertext!]));
      expect(items.map((item) => item.linkCiphertext!.split(".")[1])).toEqual(["fresh", "fresh"]);
      expect(decryptSecret(newOnly, secrets.get(itemIds[0]!)!, bulkLinkAad(itemIds[0]!))).toBe(
        "link-secret-one".repeat(3),
      );
      expect(decryptSecret(newOnly, secrets.get(itemIds[1]!)!, bulkLinkAad(itemIds[1]!))).toBe(
        "link-secret-two".repeat(3),
      );
      expect(() => decryptSecret(newOnly, secrets.get(itemIds[0]!)!, bulkLinkAad(itemIds[1]!))).toThrow();

      // Resumable: a second run finds nothing left to do.
      const again = await rotateSealedColumns(fixture.db, newKeyring);
      expect(again.columns.every((column) => column.rotated === 0)).toBe(true);
    });

    it("leaves what no configured key can read, and counts it under its key id so that key is not removed", async () => {
      const [id] = await fixture.insertConnections(1);
      const stranger = parseKeyring(`gone:${generateKey()}`);
      const appId = await registeredApplication(stranger, "unknown");
      const report = await rotateSealedColumns(fixture.db, newKeyring);
      const secrets = report.columns.find((column) => column.label === "applications.client_secret_ciphertext")!;
      expect(secrets).toMatchObject({ rotated: 0, unreadable: { unknown_key: 1 }, byKeyId: { gone: 1 } });
      expect(report.byKeyId).toEqual({ fresh: 2, gone: 1 });
      const [app] = await fixture.db.select().from(applications).where(eq(applications.id, appId));
      expect(app!.clientSecretCiphertext!.split(".")[1]).toBe("gone");
      expect(openTokens(newOnly, await fixture.row(id!))).not.toBeNull();
      expect((await countByKeyId(fixture.db)).get("connections.access_token_ciphertext")).toEqual({ fresh: 1 });
    });

    it("never overwrites a refresh that stores new tokens while the rotation runs, in either order", async () => {
      const [early] = await fixture.insertConnections(1);
      const target = { organizationId: fixture.organizationId };

      // 1. A refresh reads the row, Apicbase is slow, the rotation re-encrypts the row meanwhile; the refresh then
      // stores its new pair (compare-and-swap on the version the rotation left alone).
      await fixture.control.fault({ endpoint: "token", mode: "slow", delay_ms: 1500, count: 1 });
      const refreshing = refreshConnection(fixture.context({ keyring: newKeyring }), {
        ...target,
        connectionId: early!,
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await rotateSealedColumns(fixture.db, newKeyring);
      const refreshed = await refreshing;
      expect(refreshed).toMatchObject({ ok: true, refreshed: true });

      // 2. A process still on the old key list refreshes between the rotation's read and its write: the rotation's
      // write fails its compare-and-swap, it reads the row again and re-encrypts the new pair.
      const [late] = await fixture.insertConnections(1);
      let interleaved = false;
      const report = await rotateSealedColumns(fixture.db, newKeyring, {
        beforeWrite: async (column, id) => {
          if (interleaved || id !== late || column !== "connections.access_token_ciphertext") return;
          interleaved = true;
          const result = await refreshConnection(fixture.context({ keyring: oldKeyring }), {
            ...target,
            connectionId: late!,
          });
          expect(result).toMatchObject({ ok: true, refreshed: true });
        },
      });
      expect(interleaved).toBe(true);
      expect(report.byKeyId).toEqual({ fresh: 4 });

      // Both connections hold the pairs their refreshes stored: Apicbase accepts their refresh tokens (a lost pair
      // would answer invalid_grant), and everything is readable with the new key alone.
      const later = fixture.context({ keyring: newOnly, now: () => new Date(fixture.clock.now().getTime() + 120_000) });
      for (const connectionId of [early!, late!]) {
        expect(await refreshConnection(later, { ...target, connectionId })).toMatchObject({
          ok: true,
          refreshed: true,
        });
      }
      expect((await fixture.control.stats()).token_grants.refresh_token).toEqual({ ok: 4, error: 0 });
    }, 30_000);
  });
}

rotation("PGlite");

const postgres = await findPostgres();
const databases: { drop(): Promise<void> }[] = [];
let postgresUrl: string | undefined;
if (postgres) {
  describe(`on PostgreSQL (${redactUrl(postgres)})`, () => {
    beforeAll(async () => {
      const database = await createPostgresDatabase(postgres);
      databases.push(database);
      postgresUrl = database.url;
    });
    afterAll(async () => {
      for (const database of databases) await database.drop();
    });
    rotation("PostgreSQL", () => postgresUrl);
  });
} else {
  describe.skip(`keys:rotate on PostgreSQL (not reachable at ${triedPostgresUrls})`, () => {
    it("runs there too", () => {});
  });
}
