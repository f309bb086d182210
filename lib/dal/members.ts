import "server-only";
import { asc, count, eq, gt } from "drizzle-orm";
import { adminEmailsFromEnv, parseAdminEmails } from "@/lib/auth/admins";
import { getDb, memberships, organizations, sessions, users } from "@/lib/db";
import { env } from "@/lib/env";
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
};

/** Everyone who ever signed in to the portal, by e-mail, with their organizations, admin rights and live sessions. */
export async function listPortalUsers(_admin: Admin, now = new Date()): Promise<PortalUserView[]> {
  const config = env();
  const configured = adminEmailsFromEnv(config);
  const configuredSource: AdminSource = parseAdminEmails(config.PORTAL_ADMIN_EMAILS).size > 0 ? "configured" : "sandbox";
  const { db } = await getDb();
  const [userRows, membershipRows, sessionCounts] = await Promise.all([
    db
      .select({
        id: users.id,
        name: users.name,
        email: users.email,
        apicbaseUserId: users.apicbaseUserId,
        isAdmin: users.isAdmin,
        firstSignInAt: users.createdAt,
      })
      .from(users)
      .orderBy(asc(users.email), asc(users.createdAt)),
    db
      .select({ userId: memberships.userId, id: organizations.id, name: organizations.name })
      .from(memberships)
      .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
      .orderBy(asc(organizations.name)),
    db.select({ userId: sessions.userId, n: count() }).from(sessions).where(gt(sessions.expires, now)).groupBy(sessions.userId),
  ]);
  const sessionsByUser = new Map(sessionCounts.map((row) => [row.userId, row.n]));
  return userRows.map(({ isAdmin, ...user }) => ({
    ...user,
    organizations: membershipRows.filter((row) => row.userId === user.id).map(({ id, name }) => ({ id, name })),
    admin: user.email && configured.has(user.email) ? configuredSource : isAdmin ? "promoted" : null,
    activeSessions: sessionsByUser.get(user.id) ?? 0,
  }));
}
