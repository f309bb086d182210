import "server-only";
import { and, asc, eq, gt } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { SESSION_MAX_AGE } from "@/lib/auth/config";
import { hashSessionToken } from "@/lib/auth/session-token";
import { getDb, sessions, users } from "@/lib/db";
import { actorOf } from "./actor";
import type { Admin } from "./session";

/**
 * Portal sessions for admins. A session is named by the SHA-256 of its token, which is all the sessions table holds
 * (lib/auth/adapter.ts): the token itself exists only in the browser's cookie, and the hash cannot be turned back
 * into it.
 */

export type SessionView = {
  /** SHA-256 of the session token, hex: what "End session" posts. */
  id: string;
  /** Its first 8 hex characters, to tell sessions apart on screen. */
  fingerprint: string;
  user: { id: string; name: string | null; email: string | null };
  /** Sign-in time (sessions older than the column carry the time it was added). */
  startedAt: Date;
  /** Auth.js extends a session at most every 15 minutes, so this is the last activity to within that. */
  lastActiveAt: Date;
  expiresAt: Date;
  /** The session of the browser asking. */
  current: boolean;
};

export const sessionId = z.string().regex(/^[0-9a-f]{64}$/, "This session no longer exists. Reload the page.");

export const sessionIdOf: (token: string) => string = hashSessionToken;

export const fingerprintOf = (id: string) => id.slice(0, 8);

/** Every session that still opens the portal, by user and then by start, optionally of one user only. */
export async function listActiveSessions(
  _admin: Admin,
  options: { userId?: string; now?: Date; currentId?: string | null } = {},
): Promise<SessionView[]> {
  const now = options.now ?? new Date();
  const { db } = await getDb();
  const rows = await db
    .select({
      id: sessions.sessionToken,
      expires: sessions.expires,
      createdAt: sessions.createdAt,
      userId: users.id,
      name: users.name,
      email: users.email,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(gt(sessions.expires, now), options.userId ? eq(sessions.userId, options.userId) : undefined))
    .orderBy(asc(users.email), asc(sessions.createdAt));
  return rows.map(({ id, expires, createdAt, userId, name, email }) => {
    return {
      id,
      fingerprint: fingerprintOf(id),
      user: { id: userId, name, email },
      startedAt: createdAt,
      lastActiveAt: new Date(Math.max(createdAt.getTime(), expires.getTime() - SESSION_MAX_AGE * 1000)),
      expiresAt: expires,
      current: id === options.currentId,
    };
  });
}

export type EndSessionOutcome =
  { outcome: "ended"; email: string | null; fingerprint: string } | { outcome: "not_found" };

/** Ends one session: its next request finds no session and goes to the sign-in page. */
export async function endSession(admin: Admin, id: string): Promise<EndSessionOutcome> {
  const { db } = await getDb();
  return db.transaction(async (tx) => {
    const [ended] = await tx
      .delete(sessions)
      .where(eq(sessions.sessionToken, id))
      .returning({ userId: sessions.userId });
    if (!ended) return { outcome: "not_found" as const };
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, ended.userId));
    await recordAudit(tx, {
      actor: actorOf(admin),
      event: "session_ended",
      outcome: "success",
      detail: { userId: ended.userId, email: user?.email ?? null, session: fingerprintOf(id) },
    });
    return { outcome: "ended" as const, email: user?.email ?? null, fingerprint: fingerprintOf(id) };
  });
}

export type EndUserSessionsOutcome =
  { outcome: "ended"; email: string | null; count: number } | { outcome: "not_found" };

/** Ends every session of one user (they stay a member wherever they are: they only have to sign in again). */
export async function endUserSessions(admin: Admin, userId: string): Promise<EndUserSessionsOutcome> {
  const { db } = await getDb();
  return db.transaction(async (tx) => {
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
    if (!user) return { outcome: "not_found" as const };
    const ended = await tx.delete(sessions).where(eq(sessions.userId, userId)).returning({ userId: sessions.userId });
    await recordAudit(tx, {
      actor: actorOf(admin),
      event: "user_sessions_ended",
      outcome: "success",
      detail: { userId, email: user.email, sessionsEnded: ended.length },
    });
    return { outcome: "ended" as const, email: user.email, count: ended.length };
  });
}
