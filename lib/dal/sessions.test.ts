import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openTestDb, testAdmin } from "@/testing/dal";
import { createApicbaseUser } from "@/lib/auth/users";
import { SESSION_MAX_AGE } from "@/lib/auth/config";
import { auditEvents, closeDb, sessions, type Db } from "@/lib/db";
import { endSession, endUserSessions, listActiveSessions, sessionIdOf } from "./sessions";
import type { Admin } from "./session";

let db: Db;
let admin: Admin;
let nora: { id: string };
const now = new Date("2026-11-27T12:00:00Z");
const hours = (n: number) => new Date(now.getTime() + n * 3600_000);

beforeAll(async () => {
  db = await openTestDb();
  admin = await testAdmin(db);
  nora = (await createApicbaseUser(db, { apicbaseUserId: 3, email: "nora@sandbox.test", name: "Nora Nord" })).user;
  // As lib/auth/adapter.ts stores them: under the hash of the cookie's token.
  await db.insert(sessions).values([
    { sessionToken: sessionIdOf("admin-token"), userId: admin.id, expires: hours(8), createdAt: hours(-1) },
    // Last extended two hours ago (8 h idle limit, 6 h left).
    { sessionToken: sessionIdOf("nora-laptop-token"), userId: nora.id, expires: hours(6), createdAt: hours(-3) },
    { sessionToken: sessionIdOf("nora-phone-token"), userId: nora.id, expires: hours(7), createdAt: hours(-1) },
    { sessionToken: sessionIdOf("nora-expired-token"), userId: nora.id, expires: hours(-1), createdAt: hours(-10) },
  ]);
});

afterAll(async () => {
  await closeDb();
  vi.unstubAllEnvs();
});

describe("listing sessions", () => {
  it("lists live sessions with a fingerprint of the token, never the token, and marks the current one", async () => {
    const listed = await listActiveSessions(admin, { now, currentId: sessionIdOf("admin-token") });
    expect(listed.map((s) => [s.user.email, s.current])).toEqual([
      ["admin@sandbox.test", true],
      ["nora@sandbox.test", false],
      ["nora@sandbox.test", false],
    ]);
    const laptop = listed[1]!;
    expect(laptop.id).toBe(createHash("sha256").update("nora-laptop-token").digest("hex"));
    expect(laptop.fingerprint).toBe(laptop.id.slice(0, 8));
    expect(laptop.startedAt).toEqual(hours(-3));
    expect(laptop.lastActiveAt).toEqual(new Date(hours(6).getTime() - SESSION_MAX_AGE * 1000));
    expect(laptop.expiresAt).toEqual(hours(6));
    expect(JSON.stringify(listed)).not.toContain("-token");

    expect((await listActiveSessions(admin, { now, userId: admin.id })).map((s) => s.user.email)).toEqual([
      "admin@sandbox.test",
    ]);
  });
});

describe("ending sessions", () => {
  it("ends one session by its id, and says when it was already gone", async () => {
    const id = sessionIdOf("nora-phone-token");
    expect(await endSession(admin, id)).toEqual({
      outcome: "ended",
      email: "nora@sandbox.test",
      fingerprint: id.slice(0, 8),
    });
    expect(await endSession(admin, id)).toEqual({ outcome: "not_found" });
    expect(
      await db
        .select()
        .from(sessions)
        .where(eq(sessions.sessionToken, sessionIdOf("nora-laptop-token"))),
    ).toHaveLength(1);
    const [audit] = await db.select().from(auditEvents).where(eq(auditEvents.event, "session_ended"));
    expect(audit?.detail).toEqual({ userId: nora.id, email: "nora@sandbox.test", session: id.slice(0, 8) });
  });

  it("ends every session of a user, expired ones included, and nobody else's", async () => {
    expect(await endUserSessions(admin, nora.id)).toEqual({ outcome: "ended", email: "nora@sandbox.test", count: 2 });
    expect((await db.select().from(sessions)).map((s) => s.sessionToken)).toEqual([sessionIdOf("admin-token")]);
    expect(await endUserSessions(admin, crypto.randomUUID())).toEqual({ outcome: "not_found" });
    const all = JSON.stringify(await db.select().from(auditEvents));
    expect(all).not.toContain("-token");
  });
});
