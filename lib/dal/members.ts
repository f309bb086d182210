import "server-only";
import { asc, count, eq, gt } from "drizzle-orm";
import { recordAudit } from "@/lib/audit";
import { adminEmailsFromEnv, parseAdminEmails } from "@/lib/auth/admins";
import { claimInvitations } from "@/lib/auth/users";
import { emailBindings, getDb, invitations, memberships, organizations, pick, sessions, users } from "@/lib/db";
import { env } from "@/lib/env";
import { actorOf } from "./actor";
import type { Admin } from "./session";

/** Why someone is an admin: the configuration, the sandbox's demo admin, or another admin's promotion. */
export type AdminSource = "configured" | "sandbox" | "promoted";

export type PortalUserView = {
  id: string;
  name: string | null;
  email: string | null;
  apicbaseUserId: number;
  firstSignInAt: Date;
  organizations: { id: string; name: string }[];
  admin: AdminSource | null;
  activeSessions: number;
  /**
   * The person signed in with an e-mail bound to another Apicbase user (an address that changed hands): what that
   * e-mail grants (admin rights from PORTAL_ADMIN_EMAILS, pending invitations) waits for an admin's confirmation.
   */
  contested: { boundApicbaseUserId: number; configuredAdmin: boolean; pendingInvitations: number } | null;
};

/** Everyone who ever signed in to the portal, by e-mail, with their organizations, admin rights and live sessions. */
export async function listPortalUsers(_admin: Admin, now = new Date()): Promise<PortalUserView[]> {
  const config = env();
  const configured = adminEmailsFromEnv(config);
  const configuredSource: AdminSource =
    parseAdminEmails(config.PORTAL_ADMIN_EMAILS).size > 0 ? "configured" : "sandbox";
  const { db } = await getDb();
  const [userRows, membershipRows, sessionCounts, invitationCounts] = await Promise.all([
    db
      .select({
        id: users.id,
        name: users.name,
        email: users.email,
        apicbaseUserId: users.apicbaseUserId,
        isAdmin: users.isAdmin,
        firstSignInAt: users.createdAt,
        boundApicbaseUserId: emailBindings.apicbaseUserId,
      })
      .from(users)
      .leftJoin(emailBindings, eq(emailBindings.email, users.email))
      .orderBy(asc(users.email), asc(users.createdAt)),
    db
      .select({ userId: memberships.userId, id: organizations.id, name: organizations.name })
      .from(memberships)
      .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
      .orderBy(asc(organizations.name)),
    db
      .select({ userId: sessions.userId, n: count() })
      .from(sessions)
      .where(gt(sessions.expires, now))
      .groupBy(sessions.userId),
    db.select({ email: invitations.email, n: count() }).from(invitations).groupBy(invitations.email),
  ]);
  const sessionsByUser = new Map(sessionCounts.map((row) => [row.userId, row.n]));
  const invitationsByEmail = new Map(invitationCounts.map((row) => [row.email, row.n]));
  return userRows.map(({ isAdmin, boundApicbaseUserId, ...user }) => {
    const bound = boundApicbaseUserId === user.apicbaseUserId;
    const configuredAdmin = user.email !== null && configured.has(user.email);
    return {
      ...user,
      organizations: membershipRows.filter((row) => row.userId === user.id).map(({ id, name }) => ({ id, name })),
      admin: configuredAdmin && bound ? configuredSource : isAdmin ? "promoted" : null,
      activeSessions: sessionsByUser.get(user.id) ?? 0,
      contested:
        user.email !== null && boundApicbaseUserId !== null && !bound
          ? { boundApicbaseUserId, configuredAdmin, pendingInvitations: invitationsByEmail.get(user.email) ?? 0 }
          : null,
    };
  });
}

export type ConfirmEmailOutcome =
  | { outcome: "confirmed"; email: string; joinedOrganizations: number }
  | { outcome: "self" }
  | { outcome: "not_contested" };

/**
 * An admin confirms that an e-mail now belongs to the Apicbase user who signed in with it last: the binding moves
 * to that user, who gets what the e-mail grants (admin rights from PORTAL_ADMIN_EMAILS at their next request, its
 * pending invitations at once). Another admin must do it: never the person the e-mail would move to.
 */
export async function confirmEmailOwner(admin: Admin, userId: string): Promise<ConfirmEmailOutcome> {
  if (userId === admin.id) return { outcome: "self" };
  const { db } = await getDb();
  return db.transaction(async (tx) => {
    const [user] = await tx
      .select({ ...pick(users, "id", "email", "apicbaseUserId"), boundApicbaseUserId: emailBindings.apicbaseUserId })
      .from(users)
      .innerJoin(emailBindings, eq(emailBindings.email, users.email))
      .where(eq(users.id, userId))
      .for("update");
    if (!user?.email || user.boundApicbaseUserId === user.apicbaseUserId) return { outcome: "not_contested" as const };
    await tx
      .update(emailBindings)
      .set({ apicbaseUserId: user.apicbaseUserId, boundAt: new Date(), confirmedByUserId: admin.id })
      .where(eq(emailBindings.email, user.email));
    const joined = await claimInvitations(tx, user.id, user.email);
    await recordAudit(tx, {
      actor: actorOf(admin),
      event: "email_binding_confirmed",
      outcome: "success",
      detail: {
        userId: user.id,
        email: user.email,
        boundApicbaseUserId: user.boundApicbaseUserId,
        apicbaseUserId: user.apicbaseUserId,
        organizations: joined,
      },
    });
    return { outcome: "confirmed" as const, email: user.email, joinedOrganizations: joined.length };
  });
}
