import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "@/emulator/testing";
import { recordAudit } from "@/lib/audit";
import { MEMORY, openDatabase, type Database } from "@/lib/db/client";
import { applications, auditEvents, connections, organizations } from "@/lib/db/schema";
import { sandboxResetMessage } from "@/lib/messages/sandbox";
import { refusalMessage } from "@/lib/messages/connections";
import { latestReauthorizationRefusal } from "./refusals";
import { sandboxResetSinceTokens, tokensObtainedAt } from "./sandbox-reset";

let database: Database;
let organizationId: string;
let applicationId: string;
let emu: Awaited<ReturnType<typeof startEmulator>>;

beforeAll(async () => {
  database = await openDatabase({ dataDir: MEMORY });
  const [org] = await database.db.insert(organizations).values({ name: "Reset org" }).returning();
  const [app] = await database.db
    .insert(applications)
    .values({ name: "Env app", clientId: "app", source: "environment", scopes: ["accounts"] })
    .returning();
  organizationId = org!.id;
  applicationId = app!.id;
  emu = await startEmulator();
}, 60_000);
afterAll(async () => {
  await emu?.close();
  await database?.close();
});

async function connectionAt(libraryId: number, connectedAt: Date, lastRefreshedAt: Date | null = null) {
  const [row] = await database.db
    .insert(connections)
    .values({
      organizationId,
      applicationId,
      libraryId,
      libraryName: `Library ${libraryId}`,
      scopes: ["accounts"],
      lastRefreshedAt,
    })
    .returning({ id: connections.id });
  await database.db.insert(auditEvents).values({
    occurredAt: connectedAt,
    actorLabel: "nora@sandbox.test",
    organizationId,
    connectionId: row!.id,
    event: "connection_connected",
    outcome: "success",
  });
  return row!.id;
}

describe("telling a sandbox reset from a revocation", () => {
  it("takes the later of the approval and the last refresh as when the portal got the tokens", async () => {
    const approved = new Date(Date.now() - 3_600_000);
    const refreshed = new Date(Date.now() - 600_000);
    expect(await tokensObtainedAt(database.db, await connectionAt(201, approved))).toEqual(approved);
    expect(await tokensObtainedAt(database.db, await connectionAt(202, approved, refreshed))).toEqual(refreshed);
  });

  it("says reset only when the sandbox started over after the tokens were obtained", async () => {
    const before = await connectionAt(203, new Date(Date.now() - 3_600_000));
    const since = await sandboxResetSinceTokens(database.db, before, emu.url);
    expect(since).toEqual(new Date((await emu.control.instance()).state_since));
    expect(sandboxResetMessage(since!)).toMatch(/^The local Apicbase sandbox was reset at .*Nobody revoked anything/);

    const after = await connectionAt(204, new Date(Date.now() + 1000));
    expect(await sandboxResetSinceTokens(database.db, after, emu.url)).toBeNull();
    // Another Apicbase (no such control), or no sandbox at all: never "reset".
    expect(await sandboxResetSinceTokens(database.db, before, "http://127.0.0.1:9")).toBeNull();
    expect(await sandboxResetSinceTokens(database.db, before, null)).toBeNull();
  });

  it("a reset moves the sandbox's start past tokens it issued before", async () => {
    const id = await connectionAt(205, new Date());
    expect(await sandboxResetSinceTokens(database.db, id, emu.url)).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await emu.control.reset();
    expect(await sandboxResetSinceTokens(database.db, id, emu.url)).not.toBeNull();
  });
});

describe("a refused re-authorization, told with its facts", () => {
  it("names who approved and which library they had active", async () => {
    const id = await connectionAt(101, new Date());
    await recordAudit(database.db, {
      actor: { system: "test" },
      event: "connection_reauthorization_refused",
      outcome: "failure",
      organizationId,
      connectionId: id,
      detail: {
        expectedLibraryId: 101,
        approvedLibraryId: 103,
        approvedLibraryName: "Brasserie Oost",
        approvedBy: "otto@sandbox.test",
      },
    });
    const refusal = await latestReauthorizationRefusal(database.db, id, new Date(Date.now() - 60_000));
    expect(refusal).toMatchObject({
      approvedBy: "otto@sandbox.test",
      approvedLibrary: { id: 103, name: "Brasserie Oost" },
    });
    expect(refusalMessage(refusal!, { libraryId: 101, libraryName: "Bistro Nord" })).toMatch(
      /^otto@sandbox\.test approved at Apicbase with "Brasserie Oost" \(103\) as active library, but this connection is for "Bistro Nord" \(101\)\./,
    );
    // Older than the window: not shown.
    expect(await latestReauthorizationRefusal(database.db, id, new Date(Date.now() + 60_000))).toBeNull();
  });
});
