import "server-only";
import { and, eq, ne } from "drizzle-orm";
import { recordAudit } from "@/lib/audit";
import {
  emailBindings,
  invitations,
  memberships,
  users,
  type Db,
  type DbExecutor,
  type DbTransaction,
  type User,
} from "@/lib/db";

/** What a sign-in tells the portal about a user; the Apicbase user id is the key. */
export type ApicbaseIdentity = { apicbaseUserId: number; email: string; name: string };

/**
 * E-mail addresses move between Apicbase users; Apicbase's user id is the identity. A portal user still holding the
 * address from before gives it up, so the unique e-mail never blocks the user who owns it now.
 */
async function releaseEmail(tx: DbTransaction, email: string, apicbaseUserId: number) {
  await tx
    .update(users)
    .set({ email: null })
    .where(and(eq(users.email, email), ne(users.apicbaseUserId, apicbaseUserId)));
}

/**
 * Binds the e-mail to this Apicbase user if nobody had it yet (the first sign-in with it), and says whom it is
 * bound to: PORTAL_ADMIN_EMAILS and invitations grant rights only to that user.
 */
async function bindEmail(tx: DbTransaction, email: string, apicbaseUserId: number): Promise<number> {
  await tx.insert(emailBindings).values({ email, apicbaseUserId }).onConflictDoNothing();
  const [binding] = await tx
    .select({ apicbaseUserId: emailBindings.apicbaseUserId })
    .from(emailBindings)
    .where(eq(emailBindings.email, email));
  return binding?.apicbaseUserId ?? apicbaseUserId;
}

/** Whether the e-mail is bound to this Apicbase user (see bindEmail); false for an e-mail nobody signed in with. */
export async function ownsEmail(db: DbExecutor, email: string, apicbaseUserId: number): Promise<boolean> {
  const [binding] = await db
    .select({ apicbaseUserId: emailBindings.apicbaseUserId })
    .from(emailBindings)
    .where(eq(emailBindings.email, email.toLowerCase()));
  return binding?.apicbaseUserId === apicbaseUserId;
}

/** Turns the pending invitations for this e-mail into memberships; returns the organizations joined. */
export async function claimInvitations(tx: DbTransaction, userId: string, email: string): Promise<string[]> {
  const claimed = await tx.delete(invitations).where(eq(invitations.email, email)).returning({
    organizationId: invitations.organizationId,
  });
  if (claimed.length === 0) return [];
  await tx
    .insert(memberships)
    .values(claimed.map(({ organizationId }) => ({ userId, organizationId })))
    .onConflictDoNothing();
  return claimed.map(({ organizationId }) => organizationId);
}

function normalize(identity: ApicbaseIdentity): ApicbaseIdentity {
  if (!Number.isSafeInteger(identity.apicbaseUserId) || identity.apicbaseUserId <= 0) {
    throw new Error("A sign-in without an Apicbase user id cannot create a portal user");
  }
  return { ...identity, email: identity.email.trim().toLowerCase() };
}

export type SyncedUser = {
  user: User;
  joinedOrganizationIds: string[];
  /** Set when the e-mail is bound to another Apicbase user: this sign-in claimed nothing that e-mail grants. */
  contested?: { boundApicbaseUserId: number };
};

/** Claims what the e-mail grants when it belongs to this user; otherwise records, once per sign-in, why not. */
async function grantsOfEmail(tx: DbTransaction, user: User, email: string): Promise<SyncedUser> {
  const boundApicbaseUserId = await bindEmail(tx, email, user.apicbaseUserId);
  if (boundApicbaseUserId === user.apicbaseUserId)
    return { user, joinedOrganizationIds: await claimInvitations(tx, user.id, email) };
  await recordAudit(tx, {
    actor: { id: user.id, email },
    event: "email_binding_contested",
    outcome: "failure",
    detail: { userId: user.id, email, boundApicbaseUserId, apicbaseUserId: user.apicbaseUserId },
  });
  return { user, joinedOrganizationIds: [], contested: { boundApicbaseUserId } };
}

/** First sign-in: creates the portal user (or, if a concurrent sign-in won the race, updates it). */
export async function createApicbaseUser(db: Db, identity: ApicbaseIdentity): Promise<SyncedUser> {
  const { apicbaseUserId, email, name } = normalize(identity);
  return db.transaction(async (tx) => {
    await releaseEmail(tx, email, apicbaseUserId);
    const [user] = await tx
      .insert(users)
      .values({ apicbaseUserId, email, name })
      .onConflictDoUpdate({ target: users.apicbaseUserId, set: { email, name } })
      .returning();
    if (!user) throw new Error("Creating the portal user returned no row");
    return grantsOfEmail(tx, user, email);
  });
}

/** Later sign-ins: refreshes e-mail and name from Apicbase. Null when this Apicbase user has no portal user yet. */
export async function syncApicbaseUser(db: Db, identity: ApicbaseIdentity): Promise<SyncedUser | null> {
  const { apicbaseUserId, email, name } = normalize(identity);
  return db.transaction(async (tx) => {
    await releaseEmail(tx, email, apicbaseUserId);
    const [user] = await tx
      .update(users)
      .set({ email, name })
      .where(eq(users.apicbaseUserId, apicbaseUserId))
      .returning();
    if (!user) return null;
    return grantsOfEmail(tx, user, email);
  });
}
