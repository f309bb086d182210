import { eq } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MEMORY, openDatabase, type Database } from "@/lib/db/client";
import { apiKeys, applications, auditEvents, connections, organizations, type ConnectionStatus } from "@/lib/db/schema";
import {
  queryAttentionOverview,
  queryConnectionDetail,
  queryConnectionHistory,
  queryConnectionList,
  queryStatusCountsByOrganization,
} from "./queries";
import { DISPLAY_STATUSES, displayStatus } from "./status";
import { CONNECTIONS_PAGE_SIZE, parseConnectionFilters, type ConnectionFilters } from "./view";

const now = new Date("2026-11-27T12:00:00Z");
const hours = (n: number) => new Date(now.getTime() + n * 3600_000);

let database: Database;
const orgA = randomUUID();
const orgB = randomUUID();
const appId = randomUUID();

type Seeded = {
  id: string;
  libraryId: number;
  libraryName: string;
  status: ConnectionStatus;
  accessTokenExpiresAt: Date | null;
  backgroundRefreshFailures: number;
};
const seeded: Seeded[] = [];

const filters = (overrides: Partial<ConnectionFilters> = {}): ConnectionFilters => ({
  q: "",
  status: null,
  page: 1,
  ...overrides,
});

beforeAll(async () => {
  database = await openDatabase({ dataDir: MEMORY });
  const { db } = database;
  await db.insert(organizations).values([
    { id: orgA, name: "Org A" },
    { id: orgB, name: "Org B" },
  ]);
  await db
    .insert(applications)
    .values({ id: appId, name: "Partner app", clientId: "partner-app", source: "environment" });
  // Every display state, at its boundaries: expiring soon within 24 h, expired at or before now.
  // A failed refresh counts as "refresh failing" only once the background engine's retries fail.
  const shapes: [ConnectionStatus, Date | null, number?][] = [
    ["active", hours(24 * 6)],
    ["active", hours(24.01)],
    ["active", hours(24)],
    ["active", hours(1)],
    ["active", hours(0)],
    ["active", hours(-5)],
    ["active", null],
    ["refresh_failing", hours(10), 2],
    ["refresh_failing", hours(24 * 6), 0],
    ["refresh_failing", hours(-2), 0],
    ["needs_reauthorization", hours(-1)],
    ["revoking", null],
    ["revoked", null],
  ];
  const names = ["Bistro Nord", "café zuid", "Brasserie Oost", "Trattoria West", "100% Vegan", "Snack_bar", "ALPHA"];
  for (let i = 0; i < 60; i++) {
    const [status, expires, backgroundFailures] = shapes[i % shapes.length]!;
    const row: Seeded = {
      id: randomUUID(),
      libraryId: 1000 + i,
      libraryName: `${names[i % names.length]} ${String(i).padStart(2, "0")}`,
      status,
      accessTokenExpiresAt: expires,
      backgroundRefreshFailures: backgroundFailures ?? 0,
    };
    seeded.push(row);
    await db.insert(connections).values({
      ...row,
      organizationId: orgA,
      applicationId: appId,
      scopes: ["accounts", "library"],
      accessTokenCiphertext: status === "revoked" ? null : "v1.secret-ciphertext",
      refreshTokenCiphertext: status === "revoked" ? null : "v1.secret-ciphertext",
      observedLibraryId: i === 3 ? 42 : null,
      lastVerification:
        i === 3
          ? { active: true, scope: "accounts library", exp: 1_800_000_000, library: { id: 42, name: "Elsewhere" } }
          : null,
    });
  }
  // Another organization's library with a name that matches every search below.
  await db.insert(connections).values({
    organizationId: orgB,
    applicationId: appId,
    libraryId: 1000,
    libraryName: "Bistro Nord B",
    scopes: [],
    accessTokenExpiresAt: hours(100),
  });
});

afterAll(async () => {
  await database?.close();
});

describe("queryConnectionList", () => {
  it("translates each display status into SQL that agrees with displayStatus()", async () => {
    for (const status of DISPLAY_STATUSES) {
      const expected = seeded
        .filter((row) => displayStatus(row, now) === status)
        .map((row) => row.id)
        .sort();
      const list = await queryConnectionList(database.db, orgA, filters({ status }), now);
      expect(list.total, status).toBe(expected.length);
      expect(list.connections.map((row) => row.id).sort(), status).toEqual(
        expected.slice(0, CONNECTIONS_PAGE_SIZE).sort(),
      );
      expect(expected.length, `the seed covers ${status}`).toBeGreaterThan(0);
    }
  });

  it("pages through every connection of the organization in a stable, case-insensitive name order", async () => {
    const first = await queryConnectionList(database.db, orgA, filters(), now);
    expect(first).toMatchObject({ total: 60, organizationTotal: 60, page: 1, pageCount: 3, pageSize: 25 });
    const pages = [
      first,
      await queryConnectionList(database.db, orgA, filters({ page: 2 }), now),
      await queryConnectionList(database.db, orgA, filters({ page: 3 }), now),
    ];
    const ids = pages.flatMap((page) => page.connections.map((row) => row.id));
    expect(new Set(ids).size).toBe(60);
    const names = pages.flatMap((page) => page.connections.map((row) => row.libraryName.toLowerCase()));
    expect(names).toEqual([...names].sort());
    expect(pages[2]!.connections).toHaveLength(10);
    // Past the end: the last page.
    const beyond = await queryConnectionList(database.db, orgA, filters({ page: 99 }), now);
    expect(beyond.page).toBe(3);
    expect(beyond.connections.map((row) => row.id)).toEqual(pages[2]!.connections.map((row) => row.id));
    const beyondFiltered = await queryConnectionList(database.db, orgA, filters({ q: "bistro", page: 99 }), now);
    expect(beyondFiltered).toMatchObject({ page: 1, pageCount: 1 });
    expect(beyondFiltered.connections.length).toBe(beyondFiltered.total);
  });

  it("searches library names case-insensitively, takes LIKE wildcards literally, and finds a library id", async () => {
    const byName = await queryConnectionList(database.db, orgA, filters({ q: "BISTRO" }), now);
    expect(byName.total).toBe(seeded.filter((row) => row.libraryName.startsWith("Bistro")).length);
    expect(byName.organizationTotal).toBeNull();
    expect(byName.connections.every((row) => row.organizationId === orgA)).toBe(true);

    const percent = await queryConnectionList(database.db, orgA, filters({ q: "100%" }), now);
    expect(percent.connections.every((row) => row.libraryName.startsWith("100% Vegan"))).toBe(true);
    expect(percent.total).toBeGreaterThan(0);
    const underscore = await queryConnectionList(database.db, orgA, filters({ q: "k_b" }), now);
    expect(underscore.connections.map((row) => row.libraryName)).toEqual(
      seeded
        .filter((row) => row.libraryName.includes("k_b"))
        .map((row) => row.libraryName)
        .sort(),
    );

    const byId = await queryConnectionList(database.db, orgA, filters({ q: "1003" }), now);
    expect(byId.connections.map((row) => row.libraryId)).toEqual([1003]);

    const none = await queryConnectionList(database.db, orgA, filters({ q: "zzz" }), now);
    expect(none).toMatchObject({ total: 0, organizationTotal: 60, connections: [], page: 1, pageCount: 1 });
  });

  it("combines search and status", async () => {
    const list = await queryConnectionList(database.db, orgA, filters({ q: "bistro", status: "active" }), now);
    const expected = seeded.filter(
      (row) => row.libraryName.startsWith("Bistro") && displayStatus(row, now) === "active",
    );
    expect(list.connections.map((row) => row.id).sort()).toEqual(expected.map((row) => row.id).sort());
  });

  it("never selects a token column, and reports library drift", async () => {
    const list = await queryConnectionList(database.db, orgA, filters({ q: "1003" }), now);
    const json = JSON.stringify(list);
    expect(json).not.toContain("ciphertext");
    expect(json).not.toContain("v1.secret");
    expect(list.connections[0]?.drift).toEqual({ libraryId: 42, libraryName: "Elsewhere" });
    expect(list.connections[0]?.lastVerification).toMatchObject({
      active: true,
      scopes: ["accounts", "library"],
      library: { id: 42, name: "Elsewhere" },
    });
  });

  it("an empty organization has nothing to show", async () => {
    const list = await queryConnectionList(database.db, randomUUID(), filters(), now);
    expect(list).toMatchObject({ total: 0, organizationTotal: 0, connections: [] });
  });
});

describe("every organization's connections (admins)", () => {
  it("lists and searches across organizations, each row naming its organization", async () => {
    const all = await queryConnectionList(database.db, null, filters({ q: "bistro nord" }), now);
    expect(all.organizationId).toBeNull();
    expect(all.total).toBe(seeded.filter((row) => row.libraryName.startsWith("Bistro Nord")).length + 1);
    expect(new Set(all.connections.map((row) => row.organizationName))).toEqual(new Set(["Org A", "Org B"]));
    const unfiltered = await queryConnectionList(database.db, null, filters(), now);
    expect(unfiltered).toMatchObject({
      total: 61,
      organizationTotal: 61,
      pageCount: Math.ceil(61 / CONNECTIONS_PAGE_SIZE),
    });
    expect(JSON.stringify(unfiltered)).not.toContain("ciphertext");
  });

  it("filters on library drift", async () => {
    const drifted = await queryConnectionList(database.db, null, filters({ drift: true }), now);
    expect(drifted.connections.map((row) => row.libraryId)).toEqual([1003]);
    expect(parseConnectionFilters({ drift: "1" }).drift).toBe(true);
  });

  it("counts what needs attention, per status and per organization, agreeing with displayStatus()", async () => {
    const expected = Object.fromEntries(DISPLAY_STATUSES.map((status) => [status, 0])) as Record<string, number>;
    for (const row of seeded) expected[displayStatus(row, now)]!++;
    const perOrganization = await queryStatusCountsByOrganization(database.db, now);
    expect(perOrganization.get(orgA)).toEqual(expected);
    expect(perOrganization.get(orgB)).toMatchObject({ active: 1, revoked: 0 });

    const { db } = database;
    const revokedRow = seeded.find((row) => row.status === "revoked")!;
    await db
      .update(connections)
      .set({ revokedAt: hours(-24), revokeReason: "contract ended" })
      .where(eq(connections.id, revokedRow.id));
    const overview = await queryAttentionOverview(db, now);
    expect(overview.total).toBe(61);
    expect(overview.counts.refresh_failing).toBe(expected.refresh_failing);
    expect(overview.drift).toBe(1);
    expect(overview.recentlyRevoked.total).toBe(1);
    expect(overview.recentlyRevoked.latest[0]).toMatchObject({
      id: revokedRow.id,
      organizationName: "Org A",
      reason: "contract ended",
    });
    // Older than a week: no longer "recent".
    await db
      .update(connections)
      .set({ revokedAt: hours(-24 * 8) })
      .where(eq(connections.id, revokedRow.id));
    expect((await queryAttentionOverview(db, now)).recentlyRevoked.total).toBe(0);
  });
});

describe("queryConnectionDetail and queryConnectionHistory", () => {
  it("find a connection only through its own organization", async () => {
    const target = seeded[0]!;
    expect(await queryConnectionDetail(database.db, orgB, target.id)).toBeNull();
    const detail = await queryConnectionDetail(database.db, orgA, target.id);
    expect(detail).toMatchObject({
      id: target.id,
      organizationName: "Org A",
      application: { name: "Partner app", clientId: "partner-app" },
    });
    expect(JSON.stringify(detail)).not.toContain("ciphertext");
  });

  it("lists the organization's events of the connection, newest first, in pages", async () => {
    const target = seeded[1]!;
    const { db } = database;
    for (let i = 0; i < 25; i++) {
      await db.insert(auditEvents).values({
        occurredAt: new Date(now.getTime() + i * 1000),
        actorLabel: "partner@sandbox.test",
        organizationId: orgA,
        connectionId: target.id,
        event: "connection_refreshed",
        outcome: "success",
        detail: { n: i },
      });
    }
    // Someone of another organization probing the id: not part of this partner's history.
    await db.insert(auditEvents).values({
      actorLabel: "stranger@elsewhere.test",
      connectionId: target.id,
      event: "access_refused",
      outcome: "failure",
    });
    const first = await queryConnectionHistory(db, orgA, target.id, 1);
    expect(first).toMatchObject({ total: 25, page: 1, pageCount: 2 });
    expect(first.events[0]?.detail).toEqual({ n: 24 });
    expect(first.events.map((event) => event.actor)).not.toContain("stranger@elsewhere.test");
    const second = await queryConnectionHistory(db, orgA, target.id, 2);
    expect(second.events.map((event) => event.detail)).toEqual([{ n: 4 }, { n: 3 }, { n: 2 }, { n: 1 }, { n: 0 }]);
    expect((await queryConnectionHistory(db, orgB, target.id, 1)).total).toBe(0);
  });

  it("counts token hand-outs per API key instead of burying the state changes, and lists them when asked", async () => {
    const target = seeded[2]!;
    const { db } = database;
    const keyId = randomUUID();
    await db.insert(apiKeys).values({
      id: keyId,
      organizationId: orgA,
      name: "billing-sync",
      prefix: "apb_bill",
      secretHash: "x".repeat(64),
    });
    await db.insert(auditEvents).values({
      occurredAt: hours(-2),
      actorLabel: "system:refresher",
      organizationId: orgA,
      connectionId: target.id,
      event: "connection_refreshed",
      outcome: "success",
    });
    await db.insert(auditEvents).values(
      Array.from({ length: 40 }, (_, i) => ({
        occurredAt: new Date(hours(-1).getTime() + i * 60_000),
        actorLabel: "api-key:apb_bill",
        organizationId: orgA,
        connectionId: target.id,
        event: "access_token_issued",
        outcome: "success" as const,
        detail: { apiKeyId: keyId },
      })),
    );
    // About the organization, not this connection: never in its History.
    await db.insert(auditEvents).values({
      actorLabel: "partner@sandbox.test",
      organizationId: orgA,
      connectionId: target.id,
      event: "api_key_created",
      outcome: "success",
    });

    const history = await queryConnectionHistory(db, orgA, target.id, 1);
    expect(history.events.map((event) => event.event)).toEqual(["connection_refreshed"]);
    expect(history.handouts).toEqual([
      {
        keyName: "billing-sync",
        actor: "api-key:apb_bill",
        count: 40,
        first: hours(-1).toISOString(),
        last: new Date(hours(-1).getTime() + 39 * 60_000).toISOString(),
      },
    ]);
    const all = await queryConnectionHistory(db, orgA, target.id, 1, true);
    expect(all).toMatchObject({ showHandouts: true, total: 41, pageCount: 3 });
    expect(all.events[0]?.event).toBe("access_token_issued");
  });
});

describe("parseConnectionFilters", () => {
  it("reads the URL's filters and falls back to none for anything unusable", () => {
    expect(parseConnectionFilters({ q: "  Bistro   Nord ", status: "expiring_soon", page: "3" })).toEqual({
      q: "Bistro Nord",
      status: "expiring_soon",
      page: 3,
      drift: false,
    });
    expect(parseConnectionFilters({ q: ["a", "b"], status: "bogus", page: "-2" })).toEqual({
      q: "a",
      status: null,
      page: 1,
      drift: false,
    });
    expect(parseConnectionFilters(new URLSearchParams("page=abc&q=" + "x".repeat(500)))).toEqual({
      q: "x".repeat(100),
      status: null,
      page: 1,
      drift: false,
    });
    expect(parseConnectionFilters({})).toEqual({ q: "", status: null, page: 1, drift: false });
  });
});
