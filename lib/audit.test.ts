import { randomUUID } from "node:crypto";
import { and, eq, gte, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MEMORY, openDatabase, type Database } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";
import { latestConnectionEvent, recordAudits } from "./audit";

describe("latestConnectionEvent", () => {
  let database: Database;
  const connectionId = randomUUID();
  const other = randomUUID();
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 29, 12, minute));
  const system = { system: "test" };

  beforeAll(async () => {
    database = await openDatabase({ dataDir: MEMORY });
    await recordAudits(database.db, [
      { actor: system, connectionId, event: "connection_connected", outcome: "success", occurredAt: at(0) },
      { actor: system, connectionId, event: "connection_refreshed", outcome: "success", occurredAt: at(5) },
      // Two at the same moment: the one recorded later is the newer.
      { actor: system, connectionId, event: "connection_reauthorized", outcome: "success", occurredAt: at(10) },
      {
        actor: system,
        connectionId,
        event: "connection_reauthorized",
        outcome: "success",
        occurredAt: at(10),
        detail: { second: true },
      },
      { actor: system, connectionId, event: "connection_connected", outcome: "failure", occurredAt: at(20) },
      { actor: system, connectionId: other, event: "connection_connected", outcome: "success", occurredAt: at(30) },
    ]);
  }, 60_000);
  afterAll(() => database?.close());

  it("finds the connection's newest matching event, the later-recorded one of a tie", async () => {
    const approvals = and(
      eq(auditEvents.outcome, "success"),
      inArray(auditEvents.event, ["connection_connected", "connection_reauthorized"]),
    );
    expect(await latestConnectionEvent(database.db, connectionId, approvals)).toEqual({
      occurredAt: at(10),
      detail: { second: true },
    });
    expect(await latestConnectionEvent(database.db, connectionId, undefined)).toMatchObject({ occurredAt: at(20) });
  });

  it("is null when nothing of the connection matches", async () => {
    const late = gte(auditEvents.occurredAt, at(25));
    expect(await latestConnectionEvent(database.db, connectionId, late)).toBeNull();
    expect(await latestConnectionEvent(database.db, randomUUID(), undefined)).toBeNull();
  });
});
