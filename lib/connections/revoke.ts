/**
 * Revoking a connection ("Revoke", for admins and partners alike), in two steps that survive a crash between
 * them. First the row is marked `revoking` with who and why, and its token version moves on, so the refresher, the
 * token API and a refresh already in flight can no longer use or overwrite its tokens. Then the grant is revoked at
 * Apicbase where it offers revocation, and the tokens are deleted; the row stays as `revoked`. A row left in
 * `revoking` (the process died, Apicbase answered 5xx) is finished by the refresher's sweep or the next attempt.
 */
import { and, asc, eq, lt, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { ApicbaseError } from "@/lib/apicbase/errors";
import { recordAudit } from "@/lib/audit";
import { connections, type Connection } from "@/lib/db/schema";
import { underWay } from "@/lib/lifecycle/single-flight";
import { REVOKE_REASON_TEXT } from "@/lib/messages/connections";
import { enqueueConnectionEvent } from "@/lib/notifications/events";
import { PORTAL_RESTARTING, type Revocation, type RevokeCode } from "./codes";
import type { ConnectionContext, Failure } from "./context";
import { openTokens, type TokenPair } from "./tokens";

/** A revoke still `revoking` after this long was interrupted (an interactive one takes seconds). */
export const REVOKE_GRACE_MS = 2 * 60_000;
/** Apicbase failing the revocation this long after it was asked for: the tokens are deleted anyway. */
export const REVOKE_GIVE_UP_MS = 24 * 3600_000;
export const REASON_MAX_LENGTH = 500;

/** Why a connection is revoked: required, kept with the row and in the audit log, shown to its organization. */
export const revokeReason = z
  .string({ error: REVOKE_REASON_TEXT.missing })
  .transform((value) => value.replace(/\s+/g, " ").trim())
  .pipe(
    z
      .string()
      .min(1, REVOKE_REASON_TEXT.empty)
      .min(3, REVOKE_REASON_TEXT.atLeast(3))
      .max(REASON_MAX_LENGTH, REVOKE_REASON_TEXT.atMost(REASON_MAX_LENGTH))
      .regex(/^\P{C}*$/u, REVOKE_REASON_TEXT.characters),
  );

export type DisconnectResult = (RevokeCode & { ok: true; revocation: Revocation }) | Failure;

const notFound: Failure = { ok: false, reason: "not_found", code: "not_yours" };

/**
 * Revokes one connection of this organization: marks it `revoking` (keeping who and why), then finishes it. A
 * connection already `revoking` is resumed with the reason it was given first; one already revoked is left alone.
 */
export async function disconnectConnection(
  ctx: ConnectionContext,
  args: { organizationId: string; connectionId: string; reason: string },
): Promise<DisconnectResult> {
  const { organizationId, connectionId } = args;
  const scoped = and(eq(connections.id, connectionId), eq(connections.organizationId, organizationId));
  const now = ctx.now();
  const [marked] = await ctx.db
    .update(connections)
    .set({
      status: "revoking",
      // Fences off a refresh in flight: its compare-and-swap fails and it revokes the pair it got.
      tokenVersion: sql`${connections.tokenVersion} + 1`,
      leaseOwner: null,
      leaseExpiresAt: null,
      revokedAt: now,
      revokedByUserId: "id" in ctx.actor ? ctx.actor.id : null,
      revokeReason: args.reason,
      updatedAt: now,
    })
    .where(and(scoped, ne(connections.status, "revoking"), ne(connections.status, "revoked")))
    .returning();
  if (marked) return finishRevocation(ctx, marked, { resumed: false });

  const [current] = await ctx.db.select().from(connections).where(scoped);
  if (!current) return notFound;
  if (current.status === "revoked") {
    return { ok: false, reason: "not_refreshable", code: "already_revoked", libraryName: current.libraryName };
  }
  return finishRevocation(ctx, current, { resumed: true });
}

/** Apicbase down, slow or throttling: worth another try later. A refusal (4xx) will not change by waiting. */
function transient(error: unknown): boolean {
  return (
    !(error instanceof ApicbaseError) || ["server_error", "timeout", "network", "rate_limited"].includes(error.code)
  );
}

function errorCode(error: unknown): string {
  return error instanceof ApicbaseError ? (error.oauthError ?? error.code) : "portal_error";
}

/**
 * Revokes at Apicbase and deletes the tokens of a row in `revoking`. When Apicbase fails transiently the row stays
 * `revoking` (tokens unused, reason kept) for the sweep to try again, until REVOKE_GIVE_UP_MS after the revoke was
 * asked for. A shutdown waits for it to store the outcome; once one began, the row stays `revoking` (tokens unused)
 * and the sweep finishes it.
 */
export async function finishRevocation(
  ctx: ConnectionContext,
  row: Connection,
  options: { resumed: boolean },
): Promise<DisconnectResult> {
  return (await underWay("revoke", () => revokeNow(ctx, row, options))) ?? keepRevoking(ctx, row, PORTAL_RESTARTING);
}

async function revokeNow(
  ctx: ConnectionContext,
  row: Connection,
  options: { resumed: boolean },
): Promise<DisconnectResult> {
  let pair: TokenPair | null = null;
  try {
    pair = openTokens(ctx.keyring, row);
  } catch {
    // Unreadable with the configured keys: nothing can be revoked, the ciphertexts still go.
  }
  let revocation: Revocation = pair ? "revoked" : "failed";
  let apicbaseError: string | null = pair ? null : "tokens_unreadable";
  if (!row.accessTokenCiphertext && !row.refreshTokenCiphertext) {
    revocation = "revoked";
    apicbaseError = null;
  }
  if (pair) {
    try {
      const client = await ctx.clientFor(row.applicationId);
      const result = await client.revoke(pair.refreshToken, "refresh_token");
      if (result.outcome === "unsupported") revocation = "unsupported";
      else await client.revoke(pair.accessToken, "access_token").catch(() => undefined);
    } catch (error) {
      const since = row.revokedAt ?? row.updatedAt;
      if (transient(error) && ctx.now().getTime() - since.getTime() < REVOKE_GIVE_UP_MS) {
        return keepRevoking(ctx, row, errorCode(error));
      }
      revocation = "failed";
      apicbaseError = errorCode(error);
    }
  }

  const now = ctx.now();
  const finished = await ctx.db.transaction(async (tx) => {
    const rows = await tx
      .update(connections)
      .set({
        status: "revoked",
        accessTokenCiphertext: null,
        refreshTokenCiphertext: null,
        tokenVersion: sql`${connections.tokenVersion} + 1`,
        leaseOwner: null,
        leaseExpiresAt: null,
        nextRefreshAt: null,
        revokedAt: row.revokedAt ?? now,
        updatedAt: now,
      })
      .where(and(eq(connections.id, row.id), eq(connections.status, "revoking")))
      .returning({ id: connections.id });
    if (rows.length === 0) return false;
    await recordAudit(tx, {
      actor: ctx.actor,
      event: "connection_disconnected",
      outcome: "success",
      organizationId: row.organizationId,
      connectionId: row.id,
      apicbaseError,
      detail: { revocation, reason: row.revokeReason, ...(options.resumed ? { resumed: true } : {}) },
    });
    await enqueueConnectionEvent(tx, {
      type: "connection.revoked",
      connectionId: row.id,
      now,
      reason: row.revokeReason,
      apicbaseError,
    });
    return true;
  });
  if (!finished) {
    // Someone else (another process's sweep) finished it meanwhile.
    return { ok: true, revocation, code: "tokens_deleted", libraryName: row.libraryName };
  }
  return { ok: true, revocation, code: "disconnected", libraryName: row.libraryName };
}

async function keepRevoking(ctx: ConnectionContext, row: Connection, code: string): Promise<DisconnectResult> {
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    await tx
      .update(connections)
      .set({ updatedAt: now })
      .where(and(eq(connections.id, row.id), eq(connections.status, "revoking")));
    await recordAudit(tx, {
      actor: ctx.actor,
      event: "connection_revocation_pending",
      outcome: "failure",
      organizationId: row.organizationId,
      connectionId: row.id,
      apicbaseError: code,
      detail: { reason: row.revokeReason },
    });
  });
  return {
    ok: true,
    revocation: "pending",
    code: "revocation_pending",
    libraryName: row.libraryName,
    apicbaseError: code,
  };
}

/**
 * Finishes revokes interrupted half way: rows `revoking` for longer than the grace period. Each row is claimed
 * with compare-and-swap on its update time, so two processes sweeping at once never revoke the same row twice.
 */
export async function resumeRevocations(
  ctx: ConnectionContext,
  limit = 10,
): Promise<{ resumed: number; finished: number }> {
  const cutoff = new Date(ctx.now().getTime() - REVOKE_GRACE_MS);
  const stuck = await ctx.db
    .select({ id: connections.id, updatedAt: connections.updatedAt })
    .from(connections)
    .where(and(eq(connections.status, "revoking"), lt(connections.updatedAt, cutoff)))
    .orderBy(asc(connections.updatedAt))
    .limit(limit);
  let resumed = 0;
  let finished = 0;
  for (const candidate of stuck) {
    const [claimed] = await ctx.db
      .update(connections)
      .set({ updatedAt: ctx.now() })
      .where(
        and(
          eq(connections.id, candidate.id),
          eq(connections.status, "revoking"),
          eq(connections.updatedAt, candidate.updatedAt),
        ),
      )
      .returning();
    if (!claimed) continue;
    resumed++;
    const result = await finishRevocation(ctx, claimed, { resumed: true });
    if (result.ok && result.revocation !== "pending") finished++;
  }
  return { resumed, finished };
}
