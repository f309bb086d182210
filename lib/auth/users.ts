import "server-only";
import { and, eq, ne } from "drizzle-orm";
import { invitations, memberships, users, type Db, type DbTransaction, type User } from "@/lib/db";

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

/** Turns the pending invitations for this e-mail into memberships; returns the organizations joined. */
async function claimInvitations(tx: DbTransaction, userId: string, email: string): Promise<string[]> {
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

export type SyncedUser = { user: User; joinedOrganizationIds: string[] };

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
    return { user, joinedOrganizationIds: await claimInvitations(tx, user.id, email) };
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
    return { user, joinedOrganizationIds: await claimInvitations(tx, user.id, email) };
  });
}
