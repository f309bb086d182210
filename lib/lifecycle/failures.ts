/**
 * What a failed refresh means for the connection, decided before anything is written, so that a refresh whose
 * answer was lost never leaves a connection that looks fine but holds dead tokens:
 * - `invalid_grant`: Apicbase no longer accepts the grant; re-authorization, no retry.
 * - `invalid_client`: the application's credentials are wrong; no connection is at fault, the application's
 *   background refreshes pause.
 * - 429, or 503 with Retry-After: everyone waits that long.
 * - a timeout, a broken connection, a 5xx or a malformed answer are ambiguous: the rotation may have happened.
 *   Introspecting the stored access token settles it: still active, the refresh did not happen (retry with
 *   backoff); inactive before its expiry, the rotation happened and its answer was lost (re-authorization).
 */
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { ApicbaseClient } from "@/lib/apicbase/client";
import { ApicbaseError, apicbaseProblem } from "@/lib/apicbase/errors";
import { recordAudit } from "@/lib/audit";
import { describeConnection } from "@/lib/messages/connections";
import type { FailureCode } from "@/lib/connections/codes";
import type { TokenPair } from "@/lib/connections/tokens";
import type { ConnectionContext } from "@/lib/connections/context";
import type { DbTransaction } from "@/lib/db/client";
import { applications, connections, type Connection } from "@/lib/db/schema";
import { enqueueApplicationEvent, enqueueConnectionEvent } from "@/lib/notifications/events";
import { pauseRefreshes } from "./control";
import type { RefreshFailure, RefreshTrigger } from "./types";
import { isNewFailureDay, retryDelayMs } from "./schedule";

/** How long an application's background refreshes pause after Apicbase refused its credentials. */
export const APPLICATION_PAUSE_MS = 60 * 60_000;

export type Verdict = {
  /** An Apicbase error code, or the portal's own (`lost_rotation`, `introspection_failed`): never a token. */
  apicbaseError: string;
  /** Whether Apicbase may have rotated the tokens without the portal knowing: the next attempt checks first. */
  outcomeUnknown?: boolean;
} & Extract<FailureCode, { code: "apicbase_error" | "lost_rotation" | "interrupted_unknown" | "interrupted_lost" }> &
  (
    | { kind: "reauthorize" }
    | { kind: "application_refused" }
    | { kind: "wait"; retryAfterSeconds: number }
    | { kind: "retry"; apicbaseDown: boolean }
  );

const OUTAGE_CODES = new Set(["server_error", "timeout", "network", "invalid_response"]);

function isExpired(row: Connection, now: Date): boolean {
  return !row.accessTokenExpiresAt || row.accessTokenExpiresAt <= now;
}

/**
 * Before redeeming the refresh token of a connection whose last refresh was interrupted (its process stopped, or
 * stalled past its lease): did that refresh rotate the tokens? Null when it did not, or when introspection cannot
 * tell because the access token expired anyway (a refresh attempt then tells).
 */
export async function interruptedAttemptVerdict(
  client: ApicbaseClient,
  row: Connection,
  pair: TokenPair,
  now: Date,
): Promise<Verdict | null> {
  if (isExpired(row, now)) return null;
  const probe = await client.introspect(pair.accessToken).catch(() => null);
  if (!probe) {
    return {
      kind: "retry",
      apicbaseDown: true,
      outcomeUnknown: true,
      apicbaseError: "introspection_failed",
      code: "interrupted_unknown",
    };
  }
  if (probe.active) return null;
  return { kind: "reauthorize", apicbaseError: "lost_rotation", code: "interrupted_lost" };
}

/** Classifies a failed refresh call; probes Apicbase with the stored access token when the outcome is ambiguous. */
export async function failureVerdict(
  client: ApicbaseClient,
  row: Connection,
  pair: TokenPair,
  error: unknown,
  now: Date,
  opts: { probe?: boolean } = {},
): Promise<Verdict> {
  const failed = { code: "apicbase_error", problem: apicbaseProblem(error) } as const;
  if (error instanceof ApicbaseError) {
    const apicbaseError = error.oauthError ?? error.code;
    if (error.needsReauthorization) return { kind: "reauthorize", apicbaseError, ...failed };
    if (error.isClientCredentialsError) return { kind: "application_refused", apicbaseError, ...failed };
    if (error.code === "rate_limited")
      return { kind: "wait", apicbaseError, ...failed, retryAfterSeconds: error.retryAfterSeconds ?? 60 };
    if (!error.ambiguous)
      return { kind: "retry", apicbaseError, ...failed, apicbaseDown: OUTAGE_CODES.has(error.code) };
  }
  const code = error instanceof ApicbaseError ? (error.oauthError ?? error.code) : "portal_error";
  const retryAfterSeconds = error instanceof ApicbaseError ? error.retryAfterSeconds : undefined;
  // Ambiguous: settle it with the stored access token before anything else.
  const expired = isExpired(row, now);
  // Without the probe (a process shutting down starts no call) the outcome stays unknown, as with a failed probe.
  const probe = expired || opts.probe === false ? null : await client.introspect(pair.accessToken).catch(() => null);
  if (probe && !probe.active) return { kind: "reauthorize", apicbaseError: "lost_rotation", code: "lost_rotation" };
  const outcomeUnknown = !expired && !probe;
  const refresh: "not_rotated" | "rotation_unknown" | null = probe?.active
    ? "not_rotated"
    : outcomeUnknown
      ? "rotation_unknown"
      : null;
  const answer = { apicbaseError: code, ...failed, ...(refresh ? { refresh } : {}), outcomeUnknown };
  if (retryAfterSeconds) return { kind: "wait", ...answer, retryAfterSeconds };
  return { kind: "retry", ...answer, apicbaseDown: code !== "portal_error" };
}

async function pauseApplication(
  tx: DbTransaction,
  ctx: ConnectionContext,
  row: Connection,
  verdict: Verdict,
  now: Date,
) {
  const code = verdict.apicbaseError;
  const until = new Date(now.getTime() + APPLICATION_PAUSE_MS);
  const paused = await tx
    .update(applications)
    .set({ refreshPausedUntil: until, refreshPausedReason: code })
    .where(
      and(
        eq(applications.id, row.applicationId),
        or(isNull(applications.refreshPausedUntil), lt(applications.refreshPausedUntil, now)),
      ),
    )
    .returning({ id: applications.id });
  if (paused.length > 0) {
    await recordAudit(tx, {
      actor: ctx.actor,
      event: "application_refresh_paused",
      outcome: "failure",
      apicbaseError: code,
      detail: { applicationId: row.applicationId, until: until.toISOString() },
    });
    await enqueueApplicationEvent(tx, {
      applicationId: row.applicationId,
      now,
      reason: describeConnection(verdict),
      apicbaseError: code,
    });
  }
}

/** The code of a verdict and its facts, without the rest. */
function codeOf(verdict: Verdict): FailureCode {
  if (verdict.code !== "apicbase_error") return { code: verdict.code };
  return { code: verdict.code, problem: verdict.problem, ...(verdict.refresh ? { refresh: verdict.refresh } : {}) };
}

/**
 * Writes what a failure means, fenced by the token version the refresh started from (a newer pair stored meanwhile
 * wins, and the failure changes nothing), gives the lease back, and audits it. Never a token in any of it.
 */
export async function recordVerdict(
  ctx: ConnectionContext,
  row: Connection,
  verdict: Verdict,
  trigger: RefreshTrigger,
): Promise<RefreshFailure> {
  const now = ctx.now();
  const counted = {
    refreshFailureCount: sql`${connections.refreshFailureCount} + 1`,
    ...(isNewFailureDay(row.refreshFailureCountedAt, now)
      ? { refreshFailureDays: sql`${connections.refreshFailureDays} + 1`, refreshFailureCountedAt: now }
      : {}),
  };
  const after = (ms: number) => new Date(now.getTime() + ms);
  const failed = {
    ...counted,
    lastRefreshFailedAt: now,
    // "Refresh failing" is said once the background engine's own retries fail, not after one failed click.
    ...(trigger.kind === "background"
      ? { backgroundRefreshFailures: sql`${connections.backgroundRefreshFailures} + 1` }
      : {}),
  };
  const changes =
    verdict.kind === "reauthorize"
      ? { ...failed, status: "needs_reauthorization" as const, nextRefreshAt: null }
      : verdict.kind === "application_refused"
        ? { nextRefreshAt: after(APPLICATION_PAUSE_MS) }
        : verdict.kind === "wait"
          ? { nextRefreshAt: after(verdict.retryAfterSeconds * 1000 + Math.random() * 5000) }
          : {
              ...failed,
              status: "refresh_failing" as const,
              nextRefreshAt: after(retryDelayMs(row.refreshFailureCount + 1, row.accessTokenExpiresAt, now)),
            };

  const superseded = await ctx.db.transaction(async (tx) => {
    const updated = await tx
      .update(connections)
      .set({
        ...changes,
        lastRefreshError: verdict.apicbaseError,
        leaseOwner: null,
        leaseExpiresAt: null,
        leaseTakenOverFrom: verdict.outcomeUnknown ? (row.leaseTakenOverFrom ?? ctx.leaseOwner) : null,
        updatedAt: now,
      })
      .where(and(eq(connections.id, row.id), eq(connections.tokenVersion, row.tokenVersion)))
      .returning({ id: connections.id });
    if (updated.length === 0) {
      await tx
        .update(connections)
        .set({ leaseOwner: null, leaseExpiresAt: null })
        .where(and(eq(connections.id, row.id), eq(connections.leaseOwner, ctx.leaseOwner)));
    }
    if (updated.length > 0) {
      // Told once per change of state, not on every failed attempt.
      const type =
        verdict.kind === "reauthorize" && row.status !== "needs_reauthorization"
          ? "connection.needs_reauthorization"
          : verdict.kind === "retry" && row.status === "active"
            ? "connection.refresh_failing"
            : null;
      if (type)
        await enqueueConnectionEvent(tx, {
          type,
          connectionId: row.id,
          now,
          reason: describeConnection(verdict),
          apicbaseError: verdict.apicbaseError,
        });
    }
    if (verdict.kind === "application_refused") await pauseApplication(tx, ctx, row, verdict, now);
    if (verdict.kind === "wait") await pauseRefreshes(tx, after(verdict.retryAfterSeconds * 1000));
    await recordAudit(tx, {
      actor: ctx.actor,
      event: "connection_refresh_failed",
      outcome: "failure",
      organizationId: row.organizationId,
      connectionId: row.id,
      apicbaseError: verdict.apicbaseError,
      detail: {
        trigger: trigger.kind,
        outcome: verdict.kind,
        ...(row.leaseTakenOverFrom ? { interruptedRefreshBy: row.leaseTakenOverFrom } : {}),
        ...(updated.length === 0 ? { superseded: true } : {}),
      },
    });
    return updated.length === 0;
  });

  if (superseded) {
    return {
      ok: false,
      reason: "busy",
      apicbaseError: verdict.apicbaseError,
      code: "superseded",
    };
  }
  return {
    ok: false,
    reason: "apicbase",
    apicbaseError: verdict.apicbaseError,
    ...codeOf(verdict),
    ...(verdict.kind === "wait" ? { retryAfterSeconds: verdict.retryAfterSeconds } : {}),
    ...(verdict.kind === "retry" ? { apicbaseDown: verdict.apicbaseDown } : {}),
    ...(verdict.kind === "reauthorize" ? { needsReauthorization: true } : {}),
  };
}
