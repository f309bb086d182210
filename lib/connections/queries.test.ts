import { eq, sql } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { apiKeys, auditEvents, connections, type ConnectionStatus } from "@/lib/db/schema";
import { queryAttentionOverview, queryStatusCountsByOrganization } from "./overview";
import { countUpTo, queryConnectionDetail, queryConnectionHistory, queryConnectionList } from "./queries";
import { DISPLAY_STATUSES, displayStatus } from "./status";
import {
  CONNECTIONS_PAGE_SIZE,
  FILTERED_COUNT_CAP,
  LIST_COUNT_CAP,
  connectionsHref,
  countText,
  parseConnectionFilters,
  type ConnectionFilters,
  type ConnectionListView,
  type SortKey,
} from "./view";
import { seededMemoryDatabase } from "@/testing/memory-db";

const now = new Date("2026-11-27T12:00:00Z");
const hours = (n: number) => new Date(now.getTime() + n * 3600_000);

let database: Database;
const orgA = randomUUID();
const orgB = randomUUID();
const appId = randomUUID();
const otherAppId = randomUUID();

type Seeded = {
  id: string;
  libraryId: number;
  libraryName: string;
  status: ConnectionStatus;
  accessTokenExpiresAt: Date | null;
  backgroundRefreshFailures: number;
  applicationId: string;
  lastRefreshedAt: Date | null;
  approvedByName: string | null;
  approvedByEmail: string | null;
};
const seeded: Seeded[] = [];

const filters = (overrides: Partial<ConnectionFilters> = {}): ConnectionFilters => ({
  q: "",
  status: null,
  ...overrides,
});

beforeAll(async () => {
  database = await seededMemoryDatabase({
    organizations: [
      { id: orgA, name: "Org A" },
      { id: orgB, name: "Org B" },
    ],
    applications: [
      { id: appId, name: "Partner app", clientId: "partner-app", source: "environment" },
      {
        id: otherAppId,
        name: "Other app",
        clientId: "other-app",
        source: "registered",
        clientSecretCiphertext: "v1.x",
      },
    ],
  });
  const { db } = database;
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
      applicationId: i % 4 === 0 ? otherAppId : appId,
      // Microseconds apart at most: keyset pages must not lose or repeat rows whose keys differ below a millisecond.
      lastRefreshedAt: i % 5 === 0 ? null : hours(-(i % 7)),
      approvedByName: i % 3 === 0 ? null : `Owner ${String.fromCharCode(65 + (i % 6))}`,
      approvedByEmail: i % 6 === 0 ? null : `owner${i % 9}@library.test`,
    };
    seeded.push(row);
    await db.insert(connections).values({
      ...row,
      organizationId: orgA,
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
    expect(first).toMatchObject({ total: 60, organizationTotal: 60, firstPosition: 1, isFirst: true, pageSize: 25 });
    const pages = await walk(orgA, filters());
    expect(pages.map((page) => page.firstPosition)).toEqual([1, 26, 51]);
    const ids = pages.flatMap((page) => page.connections.map((row) => row.id));
    expect(new Set(ids).size).toBe(60);
    const names = pages.flatMap((page) => page.connections.map((row) => row.libraryName.toLowerCase()));
    expect(names).toEqual([...names].sort());
    expect(pages[2]!.connections).toHaveLength(10);
    expect(pages[2]).toMatchObject({ isLast: true, nextCursor: null });
    // The last page directly, and back from it to the first.
    const last = await queryConnectionList(database.db, orgA, filters({ cursor: "last" }), now);
    expect(last).toMatchObject({ isLast: true, isFirst: false, firstPosition: 36 });
    expect(last.connections.map((row) => row.id)).toEqual(ids.slice(35));
    const back = await walkBack(orgA, filters(), last);
    expectPagesAt(back, ids);
    expect(back[0]).toMatchObject({ isFirst: true, firstPosition: 1 });
    // A cursor for another sort, or a hand-edited one, opens the first page.
    for (const cursor of [pages[1]!.filters.cursor!, "bm9uc2Vuc2U", "last!"]) {
      const list = await queryConnectionList(database.db, orgA, filters({ cursor, sort: "expiry" }), now);
      expect(list.isFirst, cursor).toBe(true);
    }
  });

  const sortCases: { sort: SortKey; key: (row: Seeded) => (string | number)[] }[] = [
    { sort: "library", key: (row) => [row.libraryName.toLowerCase(), row.libraryId] },
    {
      sort: "status",
      key: (row) => [statusRank(row), row.accessTokenExpiresAt?.getTime() ?? Number.POSITIVE_INFINITY],
    },
    { sort: "expiry", key: (row) => [row.accessTokenExpiresAt?.getTime() ?? Number.POSITIVE_INFINITY] },
    { sort: "refreshed", key: (row) => [row.lastRefreshedAt?.getTime() ?? Number.NEGATIVE_INFINITY] },
    { sort: "approved", key: (row) => [(row.approvedByName ?? row.approvedByEmail ?? "").toLowerCase()] },
  ];
  for (const { sort, key } of sortCases) {
    for (const dir of ["asc", "desc"] as const) {
      it(`sorts by ${sort} ${dir}, and its keyset pages cover every row once, forwards and backwards`, async () => {
        const pages = await walk(orgA, filters({ sort, dir }));
        const ids = pages.flatMap((page) => page.connections.map((row) => row.id));
        expect(new Set(ids).size).toBe(60);
        const byId = new Map(seeded.map((row) => [row.id, row]));
        const keys = ids.map((id) => key(byId.get(id)!));
        for (let i = 1; i < keys.length; i++) {
          const order = compareKeys(keys[i - 1]!, keys[i]!);
          expect(dir === "asc" ? order <= 0 : order >= 0, `${sort} ${dir} at ${i}`).toBe(true);
        }
        const last = await queryConnectionList(database.db, orgA, filters({ sort, dir, cursor: "last" }), now);
        const back = await walkBack(orgA, filters({ sort, dir }), last);
        expectPagesAt(back, ids);
        expect(back[0]).toMatchObject({ isFirst: true, firstPosition: 1 });
      });
    }
  }

  it("filters by application, and keeps the filter across pages", async () => {
    const pages = await walk(orgA, filters({ application: otherAppId, sort: "expiry" }));
    const ids = pages.flatMap((page) => page.connections.map((row) => row.id)).sort();
    expect(ids).toEqual(
      seeded
        .filter((row) => row.applicationId === otherAppId)
        .map((row) => row.id)
        .sort(),
    );
    expect(pages[0]!.total).toBe(ids.length);
    expect(pages[0]!.connections.every((row) => row.application.id === otherAppId)).toBe(true);
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
    expect(none).toMatchObject({ total: 0, organizationTotal: 60, connections: [], isFirst: true, isLast: true });
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
    expect(unfiltered).toMatchObject({ total: 61, organizationTotal: 61, isFirst: true, isLast: false });
    expect(unfiltered.connections).toHaveLength(CONNECTIONS_PAGE_SIZE);
    const oneOrganization = await walk(null, filters({ organization: orgB }));
    expect(oneOrganization.flatMap((page) => page.connections.map((row) => row.libraryName))).toEqual([
      "Bistro Nord B",
    ]);
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
    const target = seeded[1]!;
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
  it("reads the URL's filters, sort and cursor, and falls back to none for anything unusable", () => {
    const app = randomUUID();
    expect(
      parseConnectionFilters({ q: "  Bistro   Nord ", status: "expiring_soon", app, sort: "expiry", dir: "desc" }),
    ).toEqual({
      q: "Bistro Nord",
      status: "expiring_soon",
      drift: false,
      application: app,
      organization: null,
      sort: "expiry",
      dir: "desc",
      cursor: null,
    });
    expect(parseConnectionFilters({ q: ["a", "b"], status: "bogus", app: "x", sort: "bogus", cursor: "a b" })).toEqual({
      q: "a",
      status: null,
      drift: false,
      application: null,
      organization: null,
      sort: "library",
      dir: "asc",
      cursor: null,
    });
    expect(parseConnectionFilters(new URLSearchParams("sort=refreshed&q=" + "x".repeat(500)))).toMatchObject({
      q: "x".repeat(100),
      sort: "refreshed",
      dir: "desc",
    });
    expect(parseConnectionFilters({})).toMatchObject({ q: "", status: null, drift: false, sort: "library" });
  });

  it("round-trips through the URL", () => {
    const filters: ConnectionFilters = {
      q: "café",
      status: "active",
      drift: true,
      application: randomUUID(),
      organization: randomUUID(),
      sort: "approved",
      dir: "desc",
      cursor: "abc_-1",
    };
    const href = connectionsHref(null, filters);
    expect(parseConnectionFilters(new URL(href, "http://portal.test").searchParams)).toEqual(filters);
    expect(connectionsHref("00000000-0000-4000-8000-000000000001", { sort: "library", dir: "asc" })).toBe(
      "/connections?organization=00000000-0000-4000-8000-000000000001",
    );
  });
});

/** Every page from the first, following nextCursor. */
async function walk(organizationId: string | null, base: ConnectionFilters) {
  const pages = [await queryConnectionList(database.db, organizationId, base, now)];
  while (pages.at(-1)!.nextCursor) {
    pages.push(
      await queryConnectionList(database.db, organizationId, { ...base, cursor: pages.at(-1)!.nextCursor }, now),
    );
    expect(pages.length).toBeLessThan(20);
  }
  return pages;
}

/** Every page from `last` back to the first, following previousCursor, in reading order. */
async function walkBack(organizationId: string | null, base: ConnectionFilters, last: ConnectionListView) {
  const pages = [last];
  while (pages[0]!.previousCursor) {
    pages.unshift(
      await queryConnectionList(database.db, organizationId, { ...base, cursor: pages[0]!.previousCursor }, now),
    );
    expect(pages.length).toBeLessThan(20);
  }
  return pages;
}

/**
 * Each page holds the rows at its position in the forward order. (Walking back, the page before the second is the
 * first page, filled up: it overlaps the second.)
 */
function expectPagesAt(pages: ConnectionListView[], ids: string[]) {
  for (const page of pages) {
    const at = page.firstPosition! - 1;
    expect(page.connections.map((row) => row.id)).toEqual(ids.slice(at, at + page.connections.length));
  }
  expect(new Set(pages.flatMap((page) => page.connections.map((row) => row.id))).size).toBe(ids.length);
}

function statusRank(row: Seeded): number {
  if (row.status === "needs_reauthorization") return 0;
  if (row.status === "refresh_failing" && row.backgroundRefreshFailures > 0) return 1;
  if (row.status === "active" || row.status === "refresh_failing") return 2;
  return row.status === "revoking" ? 3 : 4;
}

function compareKeys(a: (string | number)[], b: (string | number)[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
}

describe("counting up to a cap", () => {
  // A database of its own: the admin tests above count every organization's connections.
  let big: Database;
  const orgBig = randomUUID();
  const appBig = randomUUID();

  beforeAll(async () => {
    big = await seededMemoryDatabase({
      organizations: [{ id: orgBig, name: "Big partner" }],
      applications: [{ id: appBig, name: "Big app", clientId: "big-app", source: "environment" }],
    });
    // LIST_COUNT_CAP + 1 connections, so that the unfiltered list's count stops at its cap.
    await big.db.execute(sql`
      insert into connections (organization_id, application_id, library_id, library_name, scopes,
        access_token_expires_at)
      select ${orgBig}::uuid, ${appBig}::uuid, i, 'Library ' || i, array['accounts'],
        ${now}::timestamptz + (i % 48) * interval '1 hour'
      from generate_series(1, ${LIST_COUNT_CAP + 1}) as i`);
  });

  afterAll(async () => {
    await big?.close();
  });

  it("countUpTo reads at most cap + 1 rows and says when there are more", async () => {
    const all = eq(connections.organizationId, orgA);
    expect(await countUpTo(database.db, all, 10)).toEqual({ n: 10, capped: true });
    expect(await countUpTo(database.db, all, 59)).toEqual({ n: 59, capped: true });
    expect(await countUpTo(database.db, all, 60)).toEqual({ n: 60, capped: false });
    expect(await countUpTo(database.db, all, 1_000)).toEqual({ n: 60, capped: false });
    expect(await countUpTo(database.db, eq(connections.organizationId, randomUUID()), 10)).toEqual({
      n: 0,
      capped: false,
    });
  });

  it("a search's count (bitmap scans only, within its own transaction) counts the same, and leaves no setting behind", async () => {
    const named = (text: string) =>
      sql`${connections.organizationId} = ${orgBig} and lower(${connections.libraryName}) like ${`%${text}%`}`;
    for (const [text, cap] of [
      ["library 99", 1_000],
      ["library 1", 1_000],
      ["no such name", 10],
    ] as const) {
      expect(await countUpTo(big.db, named(text), cap, { search: true })).toEqual(
        await countUpTo(big.db, named(text), cap),
      );
    }
    expect(await countUpTo(big.db, named("library 99"), 1_000, { search: true })).toEqual({ n: 111, capped: false });
    // SET LOCAL ended with the count's transaction: the next query on the same (PGlite: only) session plans as usual.
    const setting = await big.db.execute<{ enable_indexonlyscan: string }>(sql`show enable_indexonlyscan`);
    expect(setting.rows[0]?.enable_indexonlyscan).toBe("on");
  });

  it("an unfiltered list larger than LIST_COUNT_CAP is counted as 'more than 10,000', and still pages to its end", async () => {
    const list = await queryConnectionList(big.db, orgBig, filters(), now);
    expect(list).toMatchObject({
      total: LIST_COUNT_CAP,
      totalCapped: true,
      organizationTotal: LIST_COUNT_CAP,
      organizationTotalCapped: true,
      firstPosition: 1,
      isFirst: true,
      isLast: false,
    });
    expect(countText(list.total, list.totalCapped)).toBe("more than 10,000 connections");
    // The last page is found from the end (its position is unknown past the cap), and holds the last rows by name.
    const last = await queryConnectionList(big.db, orgBig, filters({ cursor: "last" }), now);
    expect(last).toMatchObject({ isLast: true, isFirst: false, firstPosition: null, totalCapped: true });
    expect(last.connections.at(-1)?.libraryName).toBe("Library 9999");
    // The same for the admin list over every organization.
    expect(await queryConnectionList(big.db, null, filters(), now)).toMatchObject({
      total: LIST_COUNT_CAP,
      totalCapped: true,
    });
  });

  it("a filtered list stops at FILTERED_COUNT_CAP; a search matching nothing caps the organization's count too", async () => {
    const soon = await queryConnectionList(big.db, orgBig, filters({ status: "expiring_soon" }), now);
    // Expiring within a day: offsets 1-24 h of every 48, about half of 10,001, far over the filtered cap.
    expect(soon).toMatchObject({ total: FILTERED_COUNT_CAP, totalCapped: true, organizationTotal: null });
    const few = await queryConnectionList(big.db, orgBig, filters({ q: "library 1000" }), now);
    // "Library 1000", "Library 10000" and "Library 10001".
    expect(few).toMatchObject({ total: 3, totalCapped: false });
    const none = await queryConnectionList(big.db, orgBig, filters({ q: "no such library" }), now);
    expect(none).toMatchObject({
      total: 0,
      totalCapped: false,
      organizationTotal: LIST_COUNT_CAP,
      organizationTotalCapped: true,
    });
    expect(countText(1, false)).toBe("1 connection");
    expect(countText(2, false)).toBe("2 connections");
  });
});
