import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { ApicbaseClient } from "@/lib/apicbase/client";
import { codeVerifierAad } from "@/lib/crypto/associated-data";
import { decryptSecret, encryptSecret, type Keyring } from "@/lib/crypto/secrets";
import type { Db } from "@/lib/db/client";
import { pick } from "@/lib/db/columns";
import { authorizationLinks, connections, organizations, users, type LinkOutcome } from "@/lib/db/schema";

/** A link is a bearer secret: long enough to be unguessable, stored only as a hash. */
export function hashLinkToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export const LINK_TTL_MS = 7 * 24 * 3600 * 1000;
const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** A new link secret: 256 random bits, base64url (43 characters, safe in a path). */
export function newLinkToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Whether a value from a URL or a form can be a link secret at all; anything else is refused before the database. */
export function isLinkToken(value: unknown): value is string {
  return typeof value === "string" && LINK_TOKEN.test(value);
}
const verifierAad = codeVerifierAad;

export async function createAuthorizationLink(
  db: Db,
  args: {
    organizationId: string;
    applicationId: string;
    connectionId?: string;
    customerLabel?: string;
    createdByUserId: string | null;
    now: Date;
    ttlMs?: number;
  },
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const token = newLinkToken();
  const expiresAt = new Date(args.now.getTime() + (args.ttlMs ?? LINK_TTL_MS));
  const [row] = await db.transaction(async (tx) => {
    // One live link per connection: a new one replaces the previous, which stops working.
    if (args.connectionId) {
      await tx
        .update(authorizationLinks)
        .set({ expiresAt: args.now })
        .where(
          and(
            eq(authorizationLinks.connectionId, args.connectionId),
            isNull(authorizationLinks.usedAt),
            gt(authorizationLinks.expiresAt, args.now),
          ),
        );
    }
    return tx
      .insert(authorizationLinks)
      .values({
        tokenHash: hashLinkToken(token),
        organizationId: args.organizationId,
        applicationId: args.applicationId,
        connectionId: args.connectionId ?? null,
        customerLabel: args.customerLabel ?? null,
        createdByUserId: args.createdByUserId,
        expiresAt,
      })
      .returning({ id: authorizationLinks.id });
  });
  return { id: row!.id, token, expiresAt };
}

export type LinkView = {
  id: string;
  organizationName: string;
  libraryName: string | null;
  libraryId: number | null;
  customerLabel: string | null;
  kind: "connect" | "reauthorize";
  state: "open" | "used" | "expired";
  expiresAt: Date;
  resultConnectionId: string | null;
};

/** What the person holding the link may see: whom it is for and whether it still works. Null when unknown. */
export async function findLink(
  db: Db,
  token: string,
  now: Date,
): Promise<(LinkView & { applicationId: string }) | null> {
  if (!isLinkToken(token)) return null;
  const [row] = await db
    .select({
      ...pick(authorizationLinks, "id", "applicationId", "connectionId", "customerLabel", "expiresAt", "usedAt"),
      resultConnectionId: authorizationLinks.resultConnectionId,
      organizationName: organizations.name,
      ...pick(connections, "libraryName", "libraryId"),
    })
    .from(authorizationLinks)
    .innerJoin(organizations, eq(organizations.id, authorizationLinks.organizationId))
    .leftJoin(connections, eq(connections.id, authorizationLinks.connectionId))
    .where(eq(authorizationLinks.tokenHash, hashLinkToken(token)));
  if (!row) return null;
  return {
    id: row.id,
    applicationId: row.applicationId,
    organizationName: row.organizationName,
    libraryName: row.libraryName,
    libraryId: row.libraryId,
    customerLabel: row.customerLabel,
    kind: row.connectionId ? "reauthorize" : "connect",
    state: row.usedAt ? "used" : row.expiresAt.getTime() <= now.getTime() ? "expired" : "open",
    expiresAt: row.expiresAt,
    resultConnectionId: row.resultConnectionId,
  };
}

/** Starts (or restarts) the approval of an open link: a fresh state and PKCE verifier, kept on the link's row. */
export async function beginLinkAuthorization(
  db: Db,
  keyring: Keyring,
  client: ApicbaseClient,
  args: { token: string; redirectUri: string; scopes: string[]; now: Date },
): Promise<string | null> {
  const link = await findLink(db, args.token, args.now);
  if (!link || link.state !== "open") return null;
  const request = await client.createAuthorizationRequest({ redirectUri: args.redirectUri, scopes: args.scopes });
  const [updated] = await db
    .update(authorizationLinks)
    .set({
      state: request.state,
      codeVerifierCiphertext: request.codeVerifier
        ? encryptSecret(keyring, request.codeVerifier, verifierAad(link.id))
        : null,
    })
    .where(and(eq(authorizationLinks.id, link.id), isNull(authorizationLinks.usedAt)))
    .returning({ id: authorizationLinks.id });
  return updated ? request.url : null;
}

export type ClaimedLink = {
  id: string;
  organizationId: string;
  applicationId: string;
  connectionId: string | null;
  customerLabel: string | null;
  codeVerifier: string | undefined;
};

/**
 * The callback's side: takes the open link whose attempt carries this `state`, marking it used at once so a
 * replayed callback finds nothing. `release` gives it back when the approval failed and may be tried again.
 */
export async function claimLinkByState(
  db: Db,
  keyring: Keyring,
  state: string,
  now: Date,
): Promise<ClaimedLink | null> {
  if (!state) return null;
  const [row] = await db
    .update(authorizationLinks)
    .set({ usedAt: now })
    .where(
      and(
        eq(authorizationLinks.state, state),
        isNull(authorizationLinks.usedAt),
        gt(authorizationLinks.expiresAt, now),
      ),
    )
    .returning();
  if (!row) return null;
  return {
    id: row.id,
    organizationId: row.organizationId,
    applicationId: row.applicationId,
    connectionId: row.connectionId,
    customerLabel: row.customerLabel,
    codeVerifier: row.codeVerifierCiphertext
      ? decryptSecret(keyring, row.codeVerifierCiphertext, verifierAad(row.id))
      : undefined,
  };
}

export async function isLinkState(db: Db, state: string | null): Promise<boolean> {
  if (!state) return false;
  const [row] = await db
    .select({ id: authorizationLinks.id })
    .from(authorizationLinks)
    .where(eq(authorizationLinks.state, state));
  return Boolean(row);
}

/** What an approval through a link did, kept on the link: shown on the result page and on /links. */
export type LinkResult = {
  connectionId: string;
  outcome: LinkOutcome;
  library: { id: number; name: string };
  approvedBy: string;
};

export async function finishLink(db: Db, linkId: string, result: LinkResult | { release: true }) {
  await db
    .update(authorizationLinks)
    .set(
      "release" in result
        ? { usedAt: null, state: null, codeVerifierCiphertext: null }
        : {
            resultConnectionId: result.connectionId,
            resultOutcome: result.outcome,
            resultLibraryId: result.library.id,
            resultLibraryName: result.library.name,
            resultApprovedBy: result.approvedBy,
            codeVerifierCiphertext: null,
          },
    )
    .where(eq(authorizationLinks.id, linkId));
}

/** A link as the partner's list shows it. Never the token: only its hash is stored. */
export type OrganizationLinkView = {
  id: string;
  kind: "connect" | "reauthorize";
  customerLabel: string | null;
  /** The connection a re-authorization link is for. */
  connectionId: string | null;
  libraryName: string | null;
  createdAt: Date;
  createdBy: string | null;
  expiresAt: Date;
  usedAt: Date | null;
  /** open: works now; used: approved (or being approved); expired: ran out; withdrawn: withdrawn or replaced early. */
  state: "open" | "used" | "expired" | "withdrawn";
  resultConnectionId: string | null;
  /** The connection's library now (it may have been renamed since). */
  resultLibraryName: string | null;
  /**
   * What the approval did, and the library the approver had active then, with who approved. Null for links used
   * before the portal kept this.
   */
  result: {
    outcome: LinkOutcome;
    libraryId: number | null;
    libraryName: string | null;
    approvedBy: string | null;
  } | null;
};

/**
 * What a link's approval did, the library the approver had active then and who approved, as the link keeps them (all
 * null for links used before the portal kept this).
 */
export const LINK_APPROVAL = {
  outcome: authorizationLinks.resultOutcome,
  approvedLibraryId: authorizationLinks.resultLibraryId,
  approvedLibraryName: authorizationLinks.resultLibraryName,
  approvedBy: authorizationLinks.resultApprovedBy,
};

/** Ended this much before its natural end: someone withdrew it (or a newer re-authorization link replaced it). */
const WITHDRAWN_MARGIN_MS = 60_000;

function linkState(
  row: { createdAt: Date; expiresAt: Date; usedAt: Date | null },
  now: Date,
): OrganizationLinkView["state"] {
  if (row.usedAt) return "used";
  if (row.expiresAt.getTime() > now.getTime()) return "open";
  return row.expiresAt.getTime() < row.createdAt.getTime() + LINK_TTL_MS - WITHDRAWN_MARGIN_MS
    ? "withdrawn"
    : "expired";
}

/** The organization's links, newest first. */
export async function listOrganizationLinks(
  db: Db,
  organizationId: string,
  now: Date,
  limit = 100,
): Promise<OrganizationLinkView[]> {
  const target = alias(connections, "target_connection");
  const result = alias(connections, "result_connection");
  const rows = await db
    .select({
      ...pick(authorizationLinks, "id", "connectionId", "customerLabel", "createdAt", "expiresAt", "usedAt"),
      libraryName: target.libraryName,
      createdBy: users.email,
      resultConnectionId: authorizationLinks.resultConnectionId,
      resultLibraryName: result.libraryName,
      ...LINK_APPROVAL,
    })
    .from(authorizationLinks)
    .leftJoin(target, eq(target.id, authorizationLinks.connectionId))
    .leftJoin(result, eq(result.id, authorizationLinks.resultConnectionId))
    .leftJoin(users, eq(users.id, authorizationLinks.createdByUserId))
    .where(eq(authorizationLinks.organizationId, organizationId))
    .orderBy(desc(authorizationLinks.createdAt), desc(authorizationLinks.id))
    .limit(limit);
  return rows.map(({ outcome, approvedLibraryId, approvedLibraryName, approvedBy, ...row }) => ({
    ...row,
    kind: row.connectionId ? "reauthorize" : "connect",
    state: linkState(row, now),
    result: outcome ? { outcome, libraryId: approvedLibraryId, libraryName: approvedLibraryName, approvedBy } : null,
  }));
}

/** Makes an open link stop working at once. Only the organization's own links; used or ended ones stay as they are. */
export async function withdrawLink(
  db: Db,
  args: { organizationId: string; linkId: string; now: Date },
): Promise<{ customerLabel: string | null; connectionId: string | null } | null> {
  const [row] = await db
    .update(authorizationLinks)
    .set({ expiresAt: args.now, state: null, codeVerifierCiphertext: null })
    .where(
      and(
        eq(authorizationLinks.id, args.linkId),
        eq(authorizationLinks.organizationId, args.organizationId),
        isNull(authorizationLinks.usedAt),
        gt(authorizationLinks.expiresAt, args.now),
      ),
    )
    .returning({ customerLabel: authorizationLinks.customerLabel, connectionId: authorizationLinks.connectionId });
  return row ?? null;
}
