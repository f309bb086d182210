/**
 * Attempt counters shared by every process through the database (table `attempt_counters`): one row per rule,
 * subject and fixed window. Used to slow down guessing (failed API keys per address) and floods of starts
 * (sign-ins per address, connects per session). The subject (an address, a session id) is stored only as a hash.
 */
import { createHash } from "node:crypto";
import { and, eq, lt, sql } from "drizzle-orm";
import type { DbExecutor } from "@/lib/db/client";
import { attemptCounters } from "@/lib/db/schema";

export type AttemptRule = {
  /** Part of the key: rules never share counters. */
  readonly name: string;
  /** Attempts allowed per window; the one after is refused. */
  readonly limit: number;
  readonly windowSeconds: number;
};

export type AttemptVerdict =
  { allowed: true; count: number } | { allowed: false; count: number; retryAfterSeconds: number };

/** Failed API key attempts per client address (token API, both servers). */
export const FAILED_API_KEY_RULE: AttemptRule = { name: "api_key_failures", limit: 20, windowSeconds: 600 };
/** "Sign in with Apicbase" starts per client address (there is no session yet); the limit is SIGN_IN_START_LIMIT. */
export const SIGN_IN_START_RULE: AttemptRule = { name: "sign_in_starts", limit: 60, windowSeconds: 600 };
/** "Connect a library" / "Re-authorize" starts per portal session. */
export const CONNECT_START_RULE: AttemptRule = { name: "connect_starts", limit: 30, windowSeconds: 600 };

function keyOf(rule: AttemptRule, subject: string): string {
  return `${rule.name}:${createHash("sha256").update(subject, "utf8").digest("base64url").slice(0, 32)}`;
}

function windowOf(rule: AttemptRule, now: Date) {
  const ms = rule.windowSeconds * 1000;
  const startedAt = new Date(Math.floor(now.getTime() / ms) * ms);
  const retryAfterSeconds = Math.max(1, Math.ceil((startedAt.getTime() + ms - now.getTime()) / 1000));
  return { startedAt, retryAfterSeconds };
}

/** Counts one attempt; refused when it is beyond the rule's limit in the current window. */
export async function countAttempt(
  db: DbExecutor,
  rule: AttemptRule,
  subject: string,
  now = new Date(),
): Promise<AttemptVerdict> {
  const key = keyOf(rule, subject);
  const window = windowOf(rule, now);
  const [row] = await db
    .insert(attemptCounters)
    .values({ key, windowStartedAt: window.startedAt, count: 1 })
    .onConflictDoUpdate({
      target: [attemptCounters.key, attemptCounters.windowStartedAt],
      set: { count: sql`${attemptCounters.count} + 1` },
    })
    .returning({ count: attemptCounters.count });
  const count = row?.count ?? 1;
  // The first attempt of a window clears the subject's older windows, so the table holds only live counters.
  if (count === 1) {
    await db
      .delete(attemptCounters)
      .where(and(eq(attemptCounters.key, key), lt(attemptCounters.windowStartedAt, window.startedAt)));
    // Subjects that never come back: now and then, everyone's windows older than a day.
    if (Math.random() < 0.01) await deleteEndedWindows(db, new Date(now.getTime() - 86_400_000));
  }
  return count > rule.limit
    ? { allowed: false, count, retryAfterSeconds: window.retryAfterSeconds }
    : { allowed: true, count };
}

/** Whether the subject already used up the window (without counting anything). */
export async function attemptsExhausted(
  db: DbExecutor,
  rule: AttemptRule,
  subject: string,
  now = new Date(),
): Promise<AttemptVerdict> {
  const window = windowOf(rule, now);
  const [row] = await db
    .select({ count: attemptCounters.count })
    .from(attemptCounters)
    .where(and(eq(attemptCounters.key, keyOf(rule, subject)), eq(attemptCounters.windowStartedAt, window.startedAt)));
  const count = row?.count ?? 0;
  return count >= rule.limit
    ? { allowed: false, count, retryAfterSeconds: window.retryAfterSeconds }
    : { allowed: true, count };
}

/** Counters of windows that ended before `before` (any subject): what a periodic cleanup removes. */
export async function deleteEndedWindows(db: DbExecutor, before: Date): Promise<number> {
  const deleted = await db
    .delete(attemptCounters)
    .where(lt(attemptCounters.windowStartedAt, before))
    .returning({ key: attemptCounters.key });
  return deleted.length;
}
