import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { ActiveLibrary, ApicbaseClient, TokenSet } from "@/lib/apicbase/client";
import { ApicbaseError, apicbaseProblem } from "@/lib/apicbase/errors";
import { recordAudit } from "@/lib/audit";
import type { DbExecutor } from "@/lib/db/client";
import { connections, type ConnectionStatus } from "@/lib/db/schema";
import { NO_REFRESH_FAILURES, planNextRefresh } from "@/lib/lifecycle/schedule";
import { underWay } from "@/lib/lifecycle/single-flight";
import { enqueueConnectionEvent } from "@/lib/notifications/events";
import type { MismatchCode, VerifyCode } from "./codes";
import type { ConnectionContext, Failure } from "./context";
import { describeConnection, EVENT_REASONS } from "@/lib/messages/connections";
import { openTokens, sealTokens } from "./tokens";

const notFound: Failure = { ok: false, reason: "not_found", code: "not_yours" };

function approver(library: ActiveLibrary) {
  const name = `${library.user.firstName} ${library.user.lastName}`.trim();
  return {
    approvedByApicbaseUserId: library.user.id,
    approvedByEmail: library.user.email,
    approvedByName: name || null,
  };
}

function freshTokenColumns(ctx: ConnectionContext, connectionId: string, tokens: TokenSet) {
  return {
    ...sealTokens(ctx.keyring, connectionId, tokens),
    scopes: tokens.scopes,
    accessTokenExpiresAt: tokens.expiresAt,
    status: "active" as const,
    ...NO_REFRESH_FAILURES,
    nextRefreshAt: planNextRefresh(tokens.expiresAt, ctx.now()),
    leaseOwner: null,
    leaseExpiresAt: null,
    leaseTakenOverFrom: null,
    observedLibraryId: null,
    revokedAt: null,
    revokedByUserId: null,
    revokeReason: null,
    updatedAt: ctx.now(),
  };
}

const replacedColumns = {
  id: connections.id,
  status: connections.status,
  applicationId: connections.applicationId,
  accessTokenCiphertext: connections.accessTokenCiphertext,
  refreshTokenCiphertext: connections.refreshTokenCiphertext,
};
type ReplacedPair = {
  id: string;
  applicationId: string;
  accessTokenCiphertext: string | null;
  refreshTokenCiphertext: string | null;
};

/** A new approval for a connection: re-authorized, and recovered when it was broken. */
async function enqueueReauthorized(
  tx: DbExecutor,
  ctx: ConnectionContext,
  connectionId: string,
  previousStatus: ConnectionStatus,
) {
  const now = ctx.now();
  await enqueueConnectionEvent(tx, {
    type: "connection.reauthorized",
    connectionId,
    now,
    reason: EVENT_REASONS.reauthorized,
  });
  if (previousStatus === "needs_reauthorization" || previousStatus === "refresh_failing") {
    await enqueueConnectionEvent(tx, {
      type: "connection.recovered",
      connectionId,
      now,
      reason: EVENT_REASONS.recoveredByApproval,
    });
  }
}

/** Best effort: the new pair is stored already, and a replaced grant Apicbase no longer knows is fine too. */
async function revokeReplacedPair(ctx: ConnectionContext, replaced: ReplacedPair, stored: TokenSet): Promise<void> {
  try {
    const pair = openTokens(ctx.keyring, replaced);
    // An imported pair can be the very one the connection held: revoking it would kill what was just stored.
    if (!pair || pair.refreshToken === stored.refreshToken || pair.accessToken === stored.accessToken) return;
    const client = await ctx.clientFor(replaced.applicationId);
    const revoked = await client.revoke(pair.refreshToken, "refresh_token");
    if (revoked.outcome !== "unsupported") await client.revoke(pair.accessToken, "access_token");
  } catch {
    // Unreadable with the current keys, or Apicbase unreachable: nothing more the portal can do about that pair.
  }
}

export type CompletionResult =
  | {
      ok: true;
      /** updated: the organization had connected this library already; its connection got the new tokens. */
      outcome: "connected" | "updated" | "reauthorized";
      connectionId: string;
      libraryId: number;
      libraryName: string;
      /** The Apicbase user who approved. */
      approvedBy: string;
    }
  | (MismatchCode & { ok: false; reason: "library_mismatch"; connectionId: string })
  | Failure;

/**
 * An approval's code, end to end: exchanges it, reads which library the tokens reach, and stores the connection
 * (completeAuthorization). When the library cannot be read there is nothing to file the tokens under, so the grant
 * is handed back to Apicbase before the error goes on. Used by the redirect callback, authorization links and
 * manual code entry. A shutdown waits for it to store the tokens; once one began, the code is not exchanged.
 */
export async function connectWithCode(
  ctx: ConnectionContext,
  client: ApicbaseClient,
  args: CodeExchange,
): Promise<CompletionResult> {
  return (await underWay("code_exchange", () => exchangeAndStore(ctx, client, args))) ?? restarting;
}

type CodeExchange = {
  code: string;
  redirectUri: string;
  codeVerifier?: string;
  scopes?: string[];
  organizationId: string;
  applicationId: string;
  reauthorizeConnectionId?: string;
  via?: "manual_code";
};

/** Refused: the process is shutting down and starts no call to Apicbase. */
const restarting: Failure = { ok: false, reason: "busy", code: "restarting" };

async function exchangeAndStore(
  ctx: ConnectionContext,
  client: ApicbaseClient,
  args: CodeExchange,
): Promise<CompletionResult> {
  const tokens = await client.exchangeCode({
    code: args.code,
    redirectUri: args.redirectUri,
    codeVerifier: args.codeVerifier,
    scopes: args.scopes,
  });
  let library: ActiveLibrary;
  try {
    library = await client.getActiveLibrary(tokens.accessToken);
  } catch (error) {
    await client.revoke(tokens.refreshToken, "refresh_token").catch(() => undefined);
    throw error;
  }
  return completeAuthorization(ctx, {
    organizationId: args.organizationId,
    applicationId: args.applicationId,
    tokens,
    library,
    reauthorizeConnectionId: args.reauthorizeConnectionId,
    via: args.via,
  });
}

/**
 * Stores the tokens of an approval. A new library becomes a connection of the organization; a library it already
 * connected is updated in place (same id, history kept); a re-authorization must come back for the same library.
 */
export async function completeAuthorization(
  ctx: ConnectionContext,
  args: {
    organizationId: string;
    applicationId: string;
    tokens: TokenSet;
    library: ActiveLibrary;
    reauthorizeConnectionId?: string;
    /** How the tokens came: a pasted code or imported tokens are noted in the audit log. */
    via?: "manual_code" | "token_import";
  },
): Promise<CompletionResult> {
  const { organizationId, applicationId, tokens, library } = args;
  const via: Record<string, string> = args.via ? { via: args.via } : {};
  // The pair a new approval replaces: handed back to Apicbase once the new one is stored, so no live grant is left
  // behind that the portal can no longer use or revoke.
  let replaced: ReplacedPair | undefined;
  const result = await ctx.db.transaction(async (tx): Promise<CompletionResult> => {
    /** New tokens for a connection the organization already has: same id, history kept. */
    const renew = async (
      existing: ReplacedPair & { status: ConnectionStatus },
      outcome: "reauthorized" | "updated",
    ): Promise<CompletionResult> => {
      replaced = existing;
      await tx
        .update(connections)
        .set({
          ...freshTokenColumns(ctx, existing.id, tokens),
          ...approver(library),
          applicationId,
          libraryName: library.name,
          tokenVersion: sql`${connections.tokenVersion} + 1`,
          lastRefreshedAt: null,
        })
        .where(and(eq(connections.id, existing.id), eq(connections.organizationId, organizationId)));
      await recordAudit(tx, {
        actor: ctx.actor,
        event: outcome === "reauthorized" ? "connection_reauthorized" : "connection_updated",
        outcome: "success",
        organizationId,
        connectionId: existing.id,
        detail: { libraryId: library.id, approvedBy: library.user.email, scopes: tokens.scopes, ...via },
      });
      await enqueueReauthorized(tx, ctx, existing.id, existing.status);
      return {
        ok: true,
        outcome,
        connectionId: existing.id,
        libraryId: library.id,
        libraryName: library.name,
        approvedBy: library.user.email,
      };
    };

    if (args.reauthorizeConnectionId) {
      const [existing] = await tx
        .select({ ...replacedColumns, libraryId: connections.libraryId, libraryName: connections.libraryName })
        .from(connections)
        .where(and(eq(connections.id, args.reauthorizeConnectionId), eq(connections.organizationId, organizationId)))
        .for("update");
      if (!existing) return notFound;
      if (existing.libraryId !== library.id) {
        await recordAudit(tx, {
          actor: ctx.actor,
          event: "connection_reauthorization_refused",
          outcome: "failure",
          organizationId,
          connectionId: existing.id,
          detail: {
            expectedLibraryId: existing.libraryId,
            approvedLibraryId: library.id,
            approvedLibraryName: library.name,
            approvedBy: library.user.email,
          },
        });
        return {
          ok: false,
          reason: "library_mismatch",
          code: "library_mismatch",
          connectionId: existing.id,
          approvedBy: library.user.email,
          approvedLibrary: { id: library.id, name: library.name },
          expectedLibrary: { id: existing.libraryId, name: existing.libraryName },
        };
      }
      return renew(existing, "reauthorized");
    }

    const [existing] = await tx
      .select(replacedColumns)
      .from(connections)
      .where(and(eq(connections.organizationId, organizationId), eq(connections.libraryId, library.id)))
      .for("update");
    if (existing) {
      return renew(existing, "updated");
    }

    const id = randomUUID();
    await tx.insert(connections).values({
      id,
      organizationId,
      applicationId,
      libraryId: library.id,
      libraryName: library.name,
      ...approver(library),
      ...freshTokenColumns(ctx, id, tokens),
      tokenVersion: 1,
      createdByUserId: "id" in ctx.actor ? ctx.actor.id : null,
    });
    await recordAudit(tx, {
      actor: ctx.actor,
      event: args.via === "token_import" ? "connection_imported" : "connection_connected",
      outcome: "success",
      organizationId,
      connectionId: id,
      detail: { libraryId: library.id, approvedBy: library.user.email, scopes: tokens.scopes, ...via },
    });
    await enqueueConnectionEvent(tx, {
      type: "connection.created",
      connectionId: id,
      now: ctx.now(),
      reason: args.via === "token_import" ? EVENT_REASONS.imported : EVENT_REASONS.approved,
    });
    return {
      ok: true,
      outcome: "connected",
      connectionId: id,
      libraryId: library.id,
      libraryName: library.name,
      approvedBy: library.user.email,
    };
  });

  if (!result.ok && result.reason === "library_mismatch") {
    // The approval is for a library this connection must not reach: give it back to Apicbase.
    const client = await ctx.clientFor(applicationId);
    await client.revoke(tokens.refreshToken, "refresh_token").catch(() => undefined);
  }
  if (result.ok && replaced) await revokeReplacedPair(ctx, replaced, tokens);
  return result;
}

async function loadForUpdate(db: DbExecutor, organizationId: string, connectionId: string) {
  const [row] = await db
    .select()
    .from(connections)
    .where(and(eq(connections.id, connectionId), eq(connections.organizationId, organizationId)));
  return row;
}

export type VerifyResult =
  | ({
      ok: true;
      active: boolean;
      scopes: string[] | null;
      serverExpiresAt: Date | null;
      portalExpiresAt: Date | null;
      activeLibrary: { id: number; name: string } | null;
      /** The token reaches another library than the connected one. */
      drift: boolean;
    } & VerifyCode)
  | Failure;

/** Asks Apicbase about the stored access token (introspection) and which library it reaches now. */
export async function verifyConnection(
  ctx: ConnectionContext,
  args: { organizationId: string; connectionId: string },
): Promise<VerifyResult> {
  return (await underWay("verify", () => verifyNow(ctx, args))) ?? restarting;
}

async function verifyNow(
  ctx: ConnectionContext,
  args: { organizationId: string; connectionId: string },
): Promise<VerifyResult> {
  const row = await loadForUpdate(ctx.db, args.organizationId, args.connectionId);
  if (!row) return notFound;
  if (row.status === "revoking" || row.status === "revoked") {
    return { ok: false, reason: "not_refreshable", code: "revoked" };
  }
  const pair = openTokens(ctx.keyring, row);
  if (!pair) return { ok: false, reason: "not_refreshable", code: "no_tokens" };
  const client = await ctx.clientFor(row.applicationId);
  const now = ctx.now();
  try {
    const info = await client.introspect(pair.accessToken);
    let activeLibrary: { id: number; name: string } | null = null;
    if (info.active && (info.scopes ?? row.scopes).includes("accounts")) {
      const library = await client.getActiveLibrary(pair.accessToken).catch(() => null);
      if (library) activeLibrary = { id: library.id, name: library.name };
    }
    const expired = !row.accessTokenExpiresAt || row.accessTokenExpiresAt.getTime() <= now.getTime();
    // Inactive before its expiry: revoked at Apicbase (or rotated away), so the refresh token is gone too.
    const revoked = !info.active && !expired && row.status !== "needs_reauthorization";
    const found: VerifyCode = info.active
      ? activeLibrary && activeLibrary.id !== row.libraryId
        ? { code: "library_drift", activeLibrary, connectedLibrary: { id: row.libraryId, name: row.libraryName } }
        : { code: "token_active" }
      : expired
        ? { code: "token_expired" }
        : { code: "token_revoked" };
    // Notifications keep their reason in words, as they are sent.
    const message = describeConnection(found);
    await ctx.db.transaction(async (tx) => {
      await tx
        .update(connections)
        .set({
          lastVerifiedAt: now,
          lastVerifiedTokenVersion: row.tokenVersion,
          lastVerification: {
            active: info.active,
            scope: info.active && info.scopes ? info.scopes.join(" ") : null,
            exp: info.active && info.expiresAt ? Math.floor(info.expiresAt.getTime() / 1000) : null,
            library: activeLibrary,
          },
          ...(activeLibrary ? { observedLibraryId: activeLibrary.id === row.libraryId ? null : activeLibrary.id } : {}),
          ...(revoked ? { status: "needs_reauthorization" as const, lastRefreshError: "inactive_token" } : {}),
          updatedAt: now,
        })
        .where(and(eq(connections.id, row.id), eq(connections.organizationId, args.organizationId)));
      await recordAudit(tx, {
        actor: ctx.actor,
        event: "connection_verified",
        outcome: info.active ? "success" : "failure",
        organizationId: row.organizationId,
        connectionId: row.id,
        apicbaseError: info.active ? null : "inactive_token",
        detail: {
          active: info.active,
          ...(activeLibrary ? { activeLibraryId: activeLibrary.id, drift: activeLibrary.id !== row.libraryId } : {}),
        },
      });
      if (revoked) {
        await enqueueConnectionEvent(tx, {
          type: "connection.needs_reauthorization",
          connectionId: row.id,
          now,
          reason: message,
          apicbaseError: "inactive_token",
        });
      }
      if (activeLibrary && activeLibrary.id !== row.libraryId && row.observedLibraryId !== activeLibrary.id) {
        await enqueueConnectionEvent(tx, {
          type: "connection.library_drift",
          connectionId: row.id,
          now,
          reason: message,
        });
      }
    });
    return {
      ok: true,
      active: info.active,
      scopes: info.active ? (info.scopes ?? null) : null,
      serverExpiresAt: info.active ? (info.expiresAt ?? null) : null,
      portalExpiresAt: row.accessTokenExpiresAt,
      activeLibrary,
      drift: activeLibrary !== null && activeLibrary.id !== row.libraryId,
      ...found,
    };
  } catch (error) {
    const code = error instanceof ApicbaseError ? (error.oauthError ?? error.code) : "portal_error";
    await recordAudit(ctx.db, {
      actor: ctx.actor,
      event: "connection_verified",
      outcome: "failure",
      organizationId: row.organizationId,
      connectionId: row.id,
      apicbaseError: code,
    });
    return {
      ok: false,
      reason: "apicbase",
      code: "apicbase_error",
      problem: apicbaseProblem(error),
      apicbaseError: code,
    };
  }
}
