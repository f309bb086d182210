import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MEMORY, openDatabase, type Database } from "@/lib/db/client";
import { attemptCounters } from "@/lib/db/schema";
import { clientAddress } from "./address";
import { attemptsExhausted, countAttempt, deleteEndedWindows, type AttemptRule } from "./counters";

let database: Database;
beforeAll(async () => {
  database = await openDatabase({ dataDir: MEMORY });
}, 180_000);
afterAll(() => database.close());
beforeEach(() => database.db.delete(attemptCounters));

const rule: AttemptRule = { name: "test", limit: 3, windowSeconds: 60 };
const at = (iso: string) => new Date(iso);

describe("attempt counters", () => {
  it("allows the limit per window, refuses the next with the seconds to the window's end, per subject", async () => {
    const db = database.db;
    const now = at("2026-11-29T10:00:15Z");
    for (let n = 1; n <= 3; n++)
      expect(await countAttempt(db, rule, "1.2.3.4", now)).toEqual({ allowed: true, count: n });
    expect(await countAttempt(db, rule, "1.2.3.4", now)).toEqual({ allowed: false, count: 4, retryAfterSeconds: 45 });
    expect(await attemptsExhausted(db, rule, "1.2.3.4", now)).toMatchObject({ allowed: false, retryAfterSeconds: 45 });
    // Another subject, another rule: their own counters.
    expect(await countAttempt(db, rule, "5.6.7.8", now)).toEqual({ allowed: true, count: 1 });
    expect(await attemptsExhausted(db, { ...rule, name: "other" }, "1.2.3.4", now)).toEqual({
      allowed: true,
      count: 0,
    });
    // The next window starts from zero, and clears the subject's old one.
    const next = at("2026-11-29T10:01:00Z");
    expect(await countAttempt(db, rule, "1.2.3.4", next)).toEqual({ allowed: true, count: 1 });
    expect(await db.select().from(attemptCounters)).toHaveLength(2);
    // Subjects are stored as hashes only.
    expect(JSON.stringify(await db.select().from(attemptCounters))).not.toContain("1.2.3.4");
    expect(await deleteEndedWindows(db, next)).toBe(1);
  });

  it("counts concurrent attempts exactly (one upsert each)", async () => {
    const now = at("2026-11-29T11:00:00Z");
    const verdicts = await Promise.all(
      Array.from({ length: 10 }, () => countAttempt(database.db, rule, "9.9.9.9", now)),
    );
    expect(verdicts.map((verdict) => verdict.count).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(verdicts.filter((verdict) => verdict.allowed)).toHaveLength(3);
  });
});

describe("client address", () => {
  const headers = (xff?: string) => new Headers(xff === undefined ? {} : { "x-forwarded-for": xff });
  it("takes the proxy's entry behind a trusted proxy, else the TCP peer", () => {
    expect(clientAddress(headers("6.6.6.6, 10.0.0.1"), { trustProxy: true, peer: "127.0.0.1" })).toBe("10.0.0.1");
    expect(clientAddress(headers("6.6.6.6"), { trustProxy: false, peer: "::ffff:192.0.2.7" })).toBe("192.0.2.7");
    expect(clientAddress(headers(), { trustProxy: true, peer: "2001:DB8::1" })).toBe("2001:db8::1");
    // Next.js fills X-Forwarded-For with the peer when the request has none.
    expect(clientAddress(headers("203.0.113.9"), { trustProxy: false })).toBe("203.0.113.9");
    expect(clientAddress(headers(), { trustProxy: false })).toBe("unknown");
  });
});
