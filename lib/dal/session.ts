import "server-only";
import { eq } from "drizzle-orm";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { auth, type SessionMembership } from "@/lib/auth";
import { getDb, organizations } from "@/lib/db";
import { recordId } from "@/lib/forms";
import { ADMINS_ONLY, SIGNED_OUT } from "@/lib/messages/errors";
import { firstParam } from "@/lib/search-params";

/** The signed-in user as every page and action sees it: no token, no session id. */
export type PortalUser = {
  id: string;
  name: string | null;
  email: string | null;
  isAdmin: boolean;
  memberships: SessionMembership[];
};

declare const adminProof: unique symbol;
/** A user who passed the admin check; admin-only functions take one, so they cannot be called without it. */
export type Admin = PortalUser & { readonly isAdmin: true; readonly [adminProof]: true };

export type OrganizationAccess = { user: PortalUser; organization: { id: string; name: string }; viaAdmin: boolean };

/** Null when nobody (or an ended session) is signed in. Read from the database on every request. */
export const getCurrentUser = cache(async (): Promise<PortalUser | null> => {
  const session = await auth();
  const user = session?.user;
  if (!user?.id) return null;
  return {
    id: user.id,
    name: user.name ?? null,
    email: user.email ?? null,
    isAdmin: user.isAdmin,
    memberships: user.memberships,
  };
});

/** Pages: the signed-in user, else off to the sign-in page. */
export async function requireUser(): Promise<PortalUser> {
  const user = await getCurrentUser();
  if (!user) redirect("/signin");
  return user;
}

function asAdmin(user: PortalUser): Admin | null {
  return user.isAdmin ? (user as Admin) : null;
}

/** Pages: an admin; anyone else gets the admin pages' "not found or not allowed" page. */
export async function requireAdmin(): Promise<Admin> {
  const admin = asAdmin(await requireUser());
  if (!admin) notFound();
  return admin;
}

/** Actions: the same check as a result, so the form can say why instead of navigating away. */
export async function authorizeAdmin(): Promise<
  { ok: true; admin: Admin } | { ok: false; user: PortalUser | null; message: string }
> {
  const user = await getCurrentUser();
  if (!user) return { ok: false, user, message: SIGNED_OUT };
  const admin = asAdmin(user);
  if (!admin) return { ok: false, user, message: ADMINS_ONLY };
  return { ok: true, admin };
}

/**
 * Pages: a member of this organization, or an admin (admins see every organization). Anyone else, and any id that
 * is not an organization, gets "not found": the answer does not tell whether the organization exists.
 */
export async function requireMembership(organizationId: string): Promise<OrganizationAccess> {
  const user = await requireUser();
  if (!recordId.safeParse(organizationId).success) notFound();
  const membership = user.memberships.find((m) => m.organizationId === organizationId);
  if (membership) {
    return { user, organization: { id: organizationId, name: membership.organizationName }, viaAdmin: false };
  }
  if (!user.isAdmin) notFound();
  const { db } = await getDb();
  const [organization] = await db
    .select({ id: organizations.id, name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, organizationId));
  if (!organization) notFound();
  return { user, organization, viaAdmin: true };
}

/**
 * Pages under one organization: the one named by `?organization=`, else the user's first. A user without any
 * organization goes to `adminHome` when an admin, else to /no-organization. Checked like requireMembership.
 */
export async function requireSelectedOrganization(
  organization: string | string[] | undefined,
  adminHome = "/admin/organizations",
): Promise<OrganizationAccess> {
  const user = await requireUser();
  const organizationId = firstParam(organization) || user.memberships[0]?.organizationId;
  if (!organizationId) redirect(user.isAdmin ? adminHome : "/no-organization");
  return requireMembership(organizationId);
}
