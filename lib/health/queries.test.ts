import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAudits } from "@/lib/audit";
import { MEMORY, openDatabase, type Database } from "@/lib/db/client";
import { applications, connections, organizations } from "@/lib/db/schema";
import { connectionTimeline, healthOverTime } from "./queries";

describe("health over time", () => {
  let database: Database;
  const now = new Date("2026-11-29T12:00:00Z");
  const day = (daysAgo: number, hour = 10) => new Date(Date.UTC(2026, 10, 29 - daysAgo, hour));
  let ours = "";
  let theirs = "";
  let connectionId = "";

  beforeAll(async () => {
    database = await openDatabase({ dataDir: MEMORY });
    const db = database.db;
    const [a, b] = await db
      .insert(organizations)
      .values([{ name: "Ours" }, { name: "Theirs" }])
      .returning();
    ours = a!.id;
    theirs = b!.id;
    const [app] = await db
      .insert(applications)
      .values({ name: "App", clientId: "app", source: "environment" })
      .returning();
    const rows = await db
      .insert(connections)
      .values([
        {
          organizationId: ours,
          applicationId: app!.id,
          libraryId: 1,
          libraryName: "One",
          status: "needs_reauthorization",
        },
        {
          organizationId: ours,
          applicationId: app!.id,
          libraryId: 2,
          libraryName: "Two",
          status: "active",
          accessTokenExpiresAt: new Date(now.getTime() + 24 * 3600_000),
        },
        {
          organizationId: ours,
          applicationId: app!.id,
          libraryId: 3,
          libraryName: "Three",
          status: "active",
          accessTokenExpiresAt: new Date(now.getTime() + 5 * 24 * 3600_000),
        },
        {
          organizationId: theirs,
          applicationId: app!.id,
          libraryId: 4,
          libraryName: "Four",
          status: "needs_reauthorization",
        },
      ])
      .returning();
    connectionId = rows[0]!.id;
    const actor = { system: "refresher" };
    await recordAudits(db, [
      {
        actor,
        event: "connection_refreshed",
        outcome: "success",
        organizationId: ours,
        connectionId,
        occurredAt: day(0),
      },
      {
        actor,
        event: "connection_refreshed",
        outcome: "success",
        organizationId: ours,
        connectionId,
        occurredAt: day(0, 11),
      },
      {
        actor,
        event: "connection_refresh_failed",
        outcome: "failure",
        organizationId: ours,
        connectionId,
        apicbaseError: "invalid_grant",
        detail: { outcome: "reauthorize" },
        occurredAt: day(2),
      },
      {
        actor,
        event: "connection_refresh_failed",
        outcome: "failure",
        organizationId: ours,
        connectionId,
        apicbaseError: "timeout",
        detail: { outcome: "retry" },
        occurredAt: day(2, 12),
      },
      {
        actor,
        event: "connection_refreshed",
        outcome: "success",
        organizationId: ours,
        connectionId,
        occurredAt: day(40),
      },
      {
        actor,
        event: "connection_refreshed",
        outcome: "success",
        organizationId: theirs,
        connectionId: null,
        occurredAt: day(1),
      },
    ]);
  });
  afterAll(async () => database?.close());

  it("counts one organization's refreshes per UTC day over 30 days, and what needs attention now", async () => {
    const health = await healthOverTime(database.db, { organizationId: ours, now });
    expect(health.days).toHaveLength(30);
    expect(health.days.at(-1)).toEqual({ date: "2026-11-29", succeeded: 2, failed: 0, newlyNeedingReauthorization: 0 });
    expect(health.days.at(-3)).toEqual({ date: "2026-11-27", succeeded: 0, failed: 2, newlyNeedingReauthorization: 1 });
    expect(health.days.at(-2)).toMatchObject({ succeeded: 0 });
    expect(health.totals).toEqual({ succeeded: 2, failed: 2 });
    expect(health).toMatchObject({ needsReauthorization: 1, expiringSoon: 1 });
  });

  it("counts finished days once: a later render reads only today's events, with the same figures", async () => {
    const before = await healthOverTime(database.db, { organizationId: ours, now });
    await recordAudits(database.db, [
      {
        actor: { system: "refresher" },
        event: "connection_refreshed",
        outcome: "success",
        organizationId: ours,
        connectionId,
        occurredAt: day(0, 11),
      },
    ]);
    const after = await healthOverTime(database.db, { organizationId: ours, now });
    expect(after.days.slice(0, -1)).toEqual(before.days.slice(0, -1));
    expect(after.days.at(-1)).toMatchObject({ date: "2026-11-29", succeeded: 3 });
    expect(after.totals).toEqual({ succeeded: 3, failed: 2 });
    // A day later, the day that was today is finished and counted from the database once more.
    const tomorrow = await healthOverTime(database.db, {
      organizationId: ours,
      now: new Date(now.getTime() + 86_400_000),
    });
    expect(tomorrow.days.at(-2)).toEqual({
      date: "2026-11-29",
      succeeded: 3,
      failed: 0,
      newlyNeedingReauthorization: 0,
    });
    expect(tomorrow.days.at(-4)).toEqual(after.days.at(-3));
  });

  it("across every organization for admins", async () => {
    const health = await healthOverTime(database.db, { organizationId: null, now });
    // (With the refresh the test above adds to today.)
    expect(health.totals).toEqual({ succeeded: 4, failed: 2 });
    expect(health.needsReauthorization).toBe(2);
  });

  it("a connection's timeline keeps to its organization and the last 30 days", async () => {
    expect(
      (await connectionTimeline(database.db, { organizationId: ours, connectionId, now })).map((e) => e.event),
    ).toEqual([
      "connection_refresh_failed",
      "connection_refresh_failed",
      "connection_refreshed",
      "connection_refreshed",
      "connection_refreshed",
    ]);
    expect(await connectionTimeline(database.db, { organizationId: theirs, connectionId, now })).toEqual([]);
  });
});
