/**
 * One refresh per connection at a time, on every path (a "Refresh" click, the token API, the background refresher):
 * coalesced in the process, a lease in the database across processes, the row re-read under the lease (skip when
 * someone else just refreshed), the HTTP call outside any transaction, and the rotated pair written with
 * compare-and-swap on the token version before anything else happens.
 */
import { and, eq, inArray, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import type { TokenSet } from "@/lib/apicbase/client";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { openTokens, sealTokens, type TokenPair } from "@/lib/connections/tokens";
import type { ConnectionContext } from "@/lib/connections/context";
import { applications, connections, type Connection, type ConnectionStatus } from "@/lib/db/schema";
import { EVENT_REASONS } from "@/lib/messages/connections";
import { enqueueConnectionEvent } from "@/lib/notifications/events";
import { spendInteractiveRefresh } from "./control";
import type { RefreshFailure, RefreshResult, RefreshTrigger } from "./types";
import { failureVerdict, interruptedAttemptVerdict, recordVerdict } from "./failures";
import { NO_REFRESH_FAILURES, planNextRefresh } from "./schedule";
import { coalesce, DRAIN_RETRY_AFTER_SECONDS, isDraining } from "./single-flight";

/** Longer than the client's own timeout plus the write's retries: a lease never lapses while its refresh runs. */
export const REFRESH_LEASE_MS = 60_000;
/** Another refresh this recent satisfies any caller: its tokens are as fresh as ours would be. */
export const RECENTLY_REFRESHED_MS = 60_000;
/** How long a click or a token API call waits for another process's refresh of the same connection. */
const LEASE_WAIT_MS = 15_000;
/** Writing the rotated pair is retried this often (a database restart, a failover) before giving up. */
const STORE_ATTEMPTS = 5;
const STORE_RETRY_MS = 250;

export const REFRESHABLE_STATUSES: ConnectionStatus[] = ["active", "refresh_failing"];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function triggerKey(trigger: RefreshTrigger): string {
  if (trigger.kind === "api") return `api:${trigger.minValidMs}`;
  return trigger.kind === "rejected" ? `rejected:${trigger.tokenVersion}` : trigger.kind;
}

/**
 * Refreshes a connection of this organization unless its stored token already satisfies the trigger. Concurrent
 * callers in this process share one attempt; callers in other processes wait for the lease and then find the
 * token fresh.
 */
export function refreshConnection(
  ctx: ConnectionContext,
  args: { organizationId: string; connectionId: string },
  trigger: RefreshTrigger = { kind: "manual" },
): Promise<RefreshResult> {
  const key = [ctx.leaseOwner, args.organizationId, args.connectionId, triggerKey(trigger)].join("|");
  return coalesce(key, () => leaseAndRefresh(ctx, args, trigger));
}

/** The background refresher's entry: a connection it already leased (claimed as due). */
export function refreshClaimed(ctx: ConnectionContext, row: Connection): Promise<RefreshResult> {
  const key = [ctx.leaseOwner, row.organizationId, row.id, "background"].join("|");
  return coalesce(key, () => refreshLeased(ctx, row, { kind: "background" }));
}

const shuttingDown: RefreshFailure = {
  ok: false,
  reason: "busy",
  shuttingDown: true,
  retryAfterSeconds: DRAIN_RETRY_AFTER_SECONDS,
  code: "refresh_restarting",
};

const notFound: RefreshFailure = { ok: false, reason: "not_found", code: "not_yours" };

function refusal(status: ConnectionStatus): RefreshFailure | null {
  if (status === "needs_reauthorization") {
    return {
      ok: false,
      reason: "not_refreshable",
      needsReauthorization: true,
      code: "needs_reauthorization",
    };
  }
  if (status === "revoked" || status === "revoking") {
    return { ok: false, reason: "not_refreshable", code: "revoked" };
  }
  return null;
}

async function leaseAndRefresh(
  ctx: ConnectionContext,
  args: { organizationId: string; connectionId: string },
  trigger: RefreshTrigger,
): Promise<RefreshResult> {
  const waitUntil = Date.now() + (trigger.kind === "background" || trigger.kind === "bulk" ? 0 : LEASE_WAIT_MS);
  for (let pause = 50; ; pause = Math.min(pause * 2, 500)) {
    // A shutting-down process takes no lease (and stops waiting for another process's).
    if (isDraining()) return shuttingDown;
    const leased = await takeLease(ctx, args.organizationId, args.connectionId);
    if (leased) return refreshLeased(ctx, leased, trigger);
    const [row] = await ctx.db
      .select({ status: connections.status })
      .from(connections)
      .where(and(eq(connections.id, args.connectionId), eq(connections.organizationId, args.organizationId)));
    if (!row) return notFound;
    const refused = refusal(row.status);
    if (refused) return refused;
    // Another process is refreshing it: wait for its lease, then look again (its tokens will be fresh).
    if (Date.now() + pause > waitUntil) {
      return { ok: false, reason: "busy", code: "refresh_in_progress" };
    }
    await sleep(pause);
  }
}

/**
 * Takes the connection's lease if nobody holds it (or its holder's lease ran out). Remembers an expired holder:
 * that refresh was interrupted, and whether Apicbase rotated the tokens is unknown until someone checks.
 */
async function takeLease(
  ctx: ConnectionContext,
  organizationId: string,
  connectionId: string,
): Promise<Connection | undefined> {
  const now = ctx.now();
  const [leased] = await ctx.db
    .update(connections)
    .set({
      leaseOwner: ctx.leaseOwner,
      leaseExpiresAt: new Date(now.getTime() + REFRESH_LEASE_MS),
      leaseTakenOverFrom: sql`coalesce(${connections.leaseOwner}, ${connections.leaseTakenOverFrom})`,
    })
    .where(
      and(
        eq(connections.id, connectionId),
        eq(connections.organizationId, organizationId),
        inArray(connections.status, REFRESHABLE_STATUSES),
        or(isNull(connections.leaseExpiresAt), lt(connections.leaseExpiresAt, now)),
      ),
    )
    .returning();
  return leased;
}

/** Gives the lease back untouched: an interrupted predecessor stays on record until someone settles it. */
export async function releaseLease(ctx: ConnectionContext, connectionId: string): Promise<void> {
  await ctx.db
    .update(connections)
    .set({ leaseOwner: null, leaseExpiresAt: null })
    .where(and(eq(connections.id, connectionId), eq(connections.leaseOwner, ctx.leaseOwner)));
}

/** Gives back several leases this process holds, untouched, in one write (a refresher that is stopping). */
export async function releaseLeases(ctx: ConnectionContext, connectionIds: string[]): Promise<void> {
  if (connectionIds.length === 0) return;
  await ctx.db
    .update(connections)
    .set({ leaseOwner: null, leaseExpiresAt: null })
    .where(and(inArray(connections.id, connectionIds), eq(connections.leaseOwner, ctx.leaseOwner)));
}

function freshEnough(row: Connection, trigger: RefreshTrigger, now: Date): boolean {
  if (trigger.kind === "rejected") return row.tokenVersion !== trigger.tokenVersion;
  if (!row.accessTokenExpiresAt || row.accessTokenExpiresAt <= now) return false;
  if (row.lastRefreshedAt && now.getTime() - row.lastRefreshedAt.getTime() < RECENTLY_REFRESHED_MS) return true;
  if (trigger.kind === "api") return row.accessTokenExpiresAt.getTime() - now.getTime() > trigger.minValidMs;
  if (trigger.kind === "background") return row.nextRefreshAt !== null && row.nextRefreshAt > now;
  return false;
}

function openPair(ctx: ConnectionContext, row: Connection): TokenPair | null | "unreadable" {
  try {
    return openTokens(ctx.keyring, row);
  } catch {
    return "unreadable";
  }
}

/** The refresh itself, under a lease this process holds on `row` (as read when the lease was taken). */
async function refreshLeased(ctx: ConnectionContext, row: Connection, trigger: RefreshTrigger): Promise<RefreshResult> {
  let leaseHeld = true;
  try {
    const now = ctx.now();
    if (freshEnough(row, trigger, now)) {
      return { ok: true, expiresAt: row.accessTokenExpiresAt!, scopes: row.scopes, refreshed: false };
    }
    const pair = openPair(ctx, row);
    if (pair === "unreadable") {
      return { ok: false, reason: "not_refreshable", code: "tokens_unreadable" };
    }
    if (!pair) return { ok: false, reason: "not_refreshable", code: "no_tokens" };
    const client = await ctx.clientFor(row.applicationId);

    // Nothing has been sent to Apicbase yet: a process that is shutting down gives the lease back (finally) instead.
    if (isDraining()) return shuttingDown;
    if (row.leaseTakenOverFrom) {
      // An earlier refresh stopped half way: it may have rotated the tokens. Never redeem the refresh token again
      // before Apicbase says the stored access token still works.
      const verdict = await interruptedAttemptVerdict(client, row, pair, now);
      if (verdict) {
        leaseHeld = false;
        return await recordVerdict(ctx, row, verdict, trigger);
      }
    }

    if (trigger.kind !== "background" && trigger.kind !== "bulk") {
      const { waitSeconds } = await spendInteractiveRefresh(ctx.db, now);
      if (waitSeconds) {
        return {
          ok: false,
          reason: "apicbase",
          apicbaseError: "rate_limited",
          retryAfterSeconds: waitSeconds,
          code: "slow_down",
          waitSeconds,
        };
      }
    }

    let tokens: TokenSet;
    // The last moment to stay out: from here on the call is under way and its answer is awaited and stored.
    if (isDraining()) return shuttingDown;
    try {
      tokens = await client.refresh({ refreshToken: pair.refreshToken, currentScopes: row.scopes });
    } catch (error) {
      // A process that is shutting down asks Apicbase nothing more: the outcome stays unknown, the next one checks.
      const verdict = await failureVerdict(client, row, pair, error, ctx.now(), { probe: !isDraining() });
      leaseHeld = false;
      return await recordVerdict(ctx, row, verdict, trigger);
    }

    let stored: boolean;
    try {
      stored = await storeRotatedPair(ctx, row, tokens, trigger);
    } catch (error) {
      // The lease stays as it is: whoever takes it over knows this refresh was interrupted and checks first.
      leaseHeld = false;
      throw new Error(`The rotated tokens of connection ${row.id} could not be stored`, { cause: error });
    }
    leaseHeld = !stored;
    if (!stored) {
      // A re-authorization or disconnect wrote a newer pair meanwhile: ours is an orphan nobody will ever use.
      if (!isDraining()) await client.revoke(tokens.refreshToken, "refresh_token").catch(() => undefined);
      return { ok: false, reason: "busy", code: "refresh_discarded" };
    }
    return { ok: true, expiresAt: tokens.expiresAt, scopes: tokens.scopes, refreshed: true };
  } finally {
    if (leaseHeld) await releaseLease(ctx, row.id);
  }
}

function actorDetail(actor: AuditActor) {
  return "system" in actor ? actor.system : "user";
}

/**
 * The rotated pair goes to the database first, fenced by the token version it was read with. A failed write (a
 * database restart) is retried while the lease lasts: the old refresh token is dead, so these tokens are the
 * connection's only way forward. Returns false when a newer pair was stored meanwhile.
 */
async function storeRotatedPair(
  ctx: ConnectionContext,
  row: Connection,
  tokens: TokenSet,
  trigger: RefreshTrigger,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      const written = await ctx.db.transaction(async (tx) => {
        const now = ctx.now();
        const rows = await tx
          .update(connections)
          .set({
            ...sealTokens(ctx.keyring, row.id, tokens),
            tokenVersion: row.tokenVersion + 1,
            scopes: tokens.scopes,
            accessTokenExpiresAt: tokens.expiresAt,
            lastRefreshedAt: now,
            ...NO_REFRESH_FAILURES,
            nextRefreshAt: planNextRefresh(tokens.expiresAt, now),
            status: "active",
            leaseOwner: null,
            leaseExpiresAt: null,
            leaseTakenOverFrom: null,
            updatedAt: now,
          })
          .where(and(eq(connections.id, row.id), eq(connections.tokenVersion, row.tokenVersion)))
          .returning({ id: connections.id });
        if (rows.length === 0) return false;
        // Apicbase accepts the application's credentials again. (The refresher never claims a paused application's
        // connections, and a pause that ran out is over anyway.)
        if (trigger.kind !== "background") {
          await tx
            .update(applications)
            .set({ refreshPausedUntil: null, refreshPausedReason: null })
            .where(and(eq(applications.id, row.applicationId), isNotNull(applications.refreshPausedUntil)));
        }
        await recordAudit(tx, {
          actor: ctx.actor,
          event: "connection_refreshed",
          outcome: "success",
          organizationId: row.organizationId,
          connectionId: row.id,
          detail: { expiresAt: tokens.expiresAt.toISOString(), trigger: trigger.kind, by: actorDetail(ctx.actor) },
        });
        if (row.status === "refresh_failing") {
          await enqueueConnectionEvent(tx, {
            type: "connection.recovered",
            connectionId: row.id,
            now,
            reason: EVENT_REASONS.recoveredByRefresh,
          });
        }
        return true;
      });
      if (written || attempt === 1) return written;
      // A retry that finds the version moved may be looking at its own earlier commit whose answer got lost.
      return await holdsPair(ctx, row, tokens);
    } catch (error) {
      if (attempt >= STORE_ATTEMPTS) throw error;
      await sleep(STORE_RETRY_MS * 2 ** (attempt - 1));
    }
  }
}

async function holdsPair(ctx: ConnectionContext, row: Connection, tokens: TokenSet): Promise<boolean> {
  const [current] = await ctx.db.select().from(connections).where(eq(connections.id, row.id));
  if (!current || current.tokenVersion !== row.tokenVersion + 1) return false;
  try {
    return openTokens(ctx.keyring, current)?.refreshToken === tokens.refreshToken;
  } catch {
    return false;
  }
}
