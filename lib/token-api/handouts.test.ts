import { describe, expect, it } from "vitest";
import type { AuditEntry } from "@/lib/audit";
import type { Db } from "@/lib/db/client";
import { HandoutLog } from "./handouts";
import { KeyRateLimiter } from "./rate-limit";

/** A database whose inserts fail while `down` is set, and that remembers what it stored. */
function fakeDb() {
  const stored: unknown[][] = [];
  const state = { down: false, stored };
  const db = {
    insert: () => ({
      values: async (rows: unknown[]) => {
        if (state.down) throw new Error("connection refused");
        stored.push(rows);
      },
    }),
  } as unknown as Db;
  return { db, state };
}

const entry = (connectionId: string): AuditEntry => ({
  actor: { system: "api-key:apb_test" },
  event: "access_token_issued",
  outcome: "success",
  connectionId,
});

describe("handout log", () => {
  it("writes entries in batches, keeps them while the database is down, and says so once", async () => {
    const { db, state } = fakeDb();
    const lines: string[] = [];
    const log = new HandoutLog(db, (line) => lines.push(line));
    state.down = true;
    for (let i = 0; i < 3; i++) log.record(entry(`c${i}`), new Date());
    await log.flush();
    await log.flush();
    expect(state.stored).toHaveLength(0);
    expect(lines).toHaveLength(1);
    state.down = false;
    await log.flush();
    expect(state.stored).toHaveLength(1);
    expect(state.stored[0]).toHaveLength(3);
    expect(lines[1]).toMatch(/written again/);
  });
});

describe("per-key rate limit", () => {
  it("allows a quarter minute's worth at once, then the rate, per key", () => {
    let now = 0;
    const limiter = new KeyRateLimiter(60, () => now);
    for (let i = 0; i < 15; i++) expect(limiter.take("a")).toBeNull();
    expect(limiter.take("a")).toBe(1);
    expect(limiter.take("b")).toBeNull();
    now += 1000;
    expect(limiter.take("a")).toBeNull();
    expect(limiter.take("a")).toBe(1);
  });
});
