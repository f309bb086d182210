import "server-only";
import { and, asc, eq } from "drizzle-orm";
import { recordAudit, type AuditEntry } from "@/lib/audit";
import { getDb, invitations, memberships, organizations, sessions, users, type DbExecutor } from "@/lib/db";
import { actorOf } from "./actor";
import type { Admin } from "./session";

export type MemberView = { userId: string; name: string | null; email: string | null; joinedAt: Date };
export type InvitationView = { id: string; email: string; invitedAt: Date };
export type OrganizationView = {
  id: string;
  name: string;
  createdAt: Date;
  members: MemberView[];
  invitations: InvitationView[];
};

/** Every organization with its members and pending invitations, by name. */
export async function listOrganizations(_admin: Admin): Promise<OrganizationView[]> {
  const { db } = await getDb();
  const [organizationRows, memberRows, invitationRows] = await Promise.all([
    db
      .select({ id: organizations.id, name: organizations.name, createdAt: organizations.createdAt })
      .from(organizations)
      .orderBy(asc(organizations.name)),
    db
      .select({
        organizationId: memberships.organizationId,
        userId: users.id,
        name: users.name,
        email: users.email,
        joinedAt: memberships.createdAt,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .orderBy(asc(memberships.createdAt)),
    db
      .select({
        organizationId: invitations.organizationId,
        id: invitations.id,
        email: invitations.email,
        invitedAt: invitations.createdAt,
      })
      .from(invitations)
      .orderBy(asc(invitations.createdAt)),
  ]);
  return organizationRows.map((organization) => ({
    ...organization,
    members: memberRows
      .filter((row) => row.organizationId === organization.id)
      .map(({ organizationId: _, ...member }) => member),
    invitations: invitationRows
      .filter((row) => row.organizationId === organization.id)
      .map(({ organizationId: _, ...invitation }) => invitation),
  }));
}

export async function createOrganization(
  admin: Admin,
  name: string,
): Promise<{ outcome: "created"; id: string } | { outcome: "name_taken" }> {
  const { db } = await getDb();
  return db.transaction(async (tx) => {
    // The unique index on lower(name) decides, so two admins creating "Acme" at once get one organization.
    const [created] = await tx
      .insert(organizations)
      .values({ name })
      .onConflictDoNothing()
      .returning({ id: organizations.id });
    if (!created) return { outcome: "name_taken" as const };
    await auditAdminChange(tx, admin, "organization_created", created.id, { name });
    return { outcome: "created" as const, id: created.id };
  });
}

export type AddMemberOutcome = "added" | "invited" | "already_member" | "already_invited" | "no_organization";

/**
 * Adds someone by Apicbase e-mail: a portal user with that e-mail becomes a member now; anyone else gets a pending
 * invitation that becomes a membership when they first sign in.
 */
export async function addMember(admin: Admin, organizationId: string, email: string): Promise<AddMemberOutcome> {
  const { db } = await getDb();
  return db.transaction(async (tx) => {
    const [organization] = await tx
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.id, organizationId))
      .for("update");
    if (!organization) return "no_organization";

    const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email));
    let outcome: AddMemberOutcome;
    if (user) {
      const added = await tx
        .insert(memberships)
        .values({ userId: user.id, organizationId })
        .onConflictDoNothing()
        .returning();
      outcome = added.length > 0 ? "added" : "already_member";
    } else {
      const invited = await tx
        .insert(invitations)
        .values({ organizationId, email, invitedByUserId: admin.id })
        .onConflictDoNothing()
        .returning();
      outcome = invited.length > 0 ? "invited" : "already_invited";
    }
    if (outcome === "added" || outcome === "invited") {
      await auditAdminChange(tx, admin, "member_added", organizationId, {
        email,
        pending: outcome === "invited",
        userId: user?.id ?? null,
      });
    }
    return outcome;
  });
}

/**
 * Ends a membership and, at once, every portal session of that person: whatever page they have open, their next
 * request signs them out. The acting admin keeps their own session (their access does not come from membership).
 * False when the membership had already ended.
 */
export async function removeMember(admin: Admin, organizationId: string, userId: string): Promise<boolean> {
  const { db } = await getDb();
  return db.transaction(async (tx) => {
    const [removed] = await tx
      .delete(memberships)
      .where(and(eq(memberships.organizationId, organizationId), eq(memberships.userId, userId)))
      .returning({ userId: memberships.userId });
    if (!removed) return false;
    const ended =
      userId === admin.id
        ? []
        : await tx.delete(sessions).where(eq(sessions.userId, userId)).returning({ userId: sessions.userId });
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
    await auditAdminChange(tx, admin, "member_removed", organizationId, {
      userId,
      email: user?.email ?? null,
      pending: false,
      sessionsEnded: ended.length,
    });
    return true;
  });
}

/** Withdraws a pending invitation; false when it was already gone (withdrawn, or claimed at sign-in). */
export async function removeInvitation(admin: Admin, organizationId: string, invitationId: string): Promise<boolean> {
  const { db } = await getDb();
  return db.transaction(async (tx) => {
    const [removed] = await tx
      .delete(invitations)
      .where(and(eq(invitations.organizationId, organizationId), eq(invitations.id, invitationId)))
      .returning({ email: invitations.email });
    if (!removed) return false;
    await auditAdminChange(tx, admin, "member_removed", organizationId, { email: removed.email, pending: true });
    return true;
  });
}

/** Audits a change an admin made to an organization or its members. */
async function auditAdminChange(
  tx: DbExecutor,
  admin: Admin,
  event: AuditEntry["event"],
  organizationId: string,
  detail: AuditEntry["detail"],
): Promise<void> {
  await recordAudit(tx, { actor: actorOf(admin), event, outcome: "success", organizationId, detail });
}
