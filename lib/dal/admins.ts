import "server-only";
import { and, asc, eq, inArray, ne } from "drizzle-orm";
import { recordAudit } from "@/lib/audit";
import { adminEmailsFromEnv, parseAdminEmails } from "@/lib/auth/admins";
import { ownsEmail } from "@/lib/auth/users";
import { emailBindings, getDb, users } from "@/lib/db";
import { env } from "@/lib/env";
import { actorOf } from "./actor";
import type { Admin, PortalUser } from "./session";

export type AdminView = {
  email: string;
  /** Known once they signed in. */
  name: string | null;
  /** Promoted admins can be demoted in the portal; the others change with the configuration. */
  source: "configured" | "sandbox" | "promoted";
  promotedUserId: string | null;
};

async function promotedAdmins() {
  const { db } = await getDb();
  return db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(eq(users.isAdmin, true))
    .orderBy(asc(users.email));
}

/** Everyone who is an admin: the configured e-mails (or the sandbox's demo admin) and the promoted users. */
export async function listAdmins(_admin: Admin): Promise<AdminView[]> {
  const config = env();
  const configured = adminEmailsFromEnv(config);
  const source = parseAdminEmails(config.PORTAL_ADMIN_EMAILS).size > 0 ? "configured" : "sandbox";
  const { db } = await getDb();
  const [promoted, known] = await Promise.all([
    promotedAdmins(),
    // Only the user each configured e-mail is bound to is that admin.
    configured.size > 0
      ? db
          .select({ email: users.email, name: users.name })
          .from(users)
          .innerJoin(
            emailBindings,
            and(eq(emailBindings.email, users.email), eq(emailBindings.apicbaseUserId, users.apicbaseUserId)),
          )
          .where(inArray(users.email, [...configured]))
      : [],
  ]);
  const views: AdminView[] = [...configured].sort().map((email) => ({
    email,
    name: known.find((user) => user.email === email)?.name ?? null,
    source,
    promotedUserId: null,
  }));
  for (const user of promoted) {
    if (!user.email || configured.has(user.email)) continue;
    views.push({ email: user.email, name: user.name, source: "promoted", promotedUserId: user.id });
  }
  return views;
}

/** Whom a signed-in user without an organization can ask: the admins' e-mail addresses. */
export async function adminContacts(_user: PortalUser): Promise<string[]> {
  const emails = new Set(adminEmailsFromEnv(env()));
  for (const user of await promotedAdmins()) if (user.email) emails.add(user.email);
  return [...emails].sort();
}

export type PromoteOutcome = "promoted" | "already_admin" | "unknown_user";

/** Makes a portal user (someone who signed in at least once) an admin. */
export async function promoteAdmin(admin: Admin, email: string): Promise<PromoteOutcome> {
  const configured = adminEmailsFromEnv(env()).has(email);
  const { db } = await getDb();
  return db.transaction(async (tx) => {
    const [user] = await tx
      .select({ id: users.id, isAdmin: users.isAdmin, apicbaseUserId: users.apicbaseUserId })
      .from(users)
      .where(eq(users.email, email));
    if (!user) return "unknown_user";
    // A configured e-mail makes its bound user an admin; whoever else carries it now can still be promoted by name.
    if (user.isAdmin || (configured && (await ownsEmail(tx, email, user.apicbaseUserId)))) return "already_admin";
    await tx.update(users).set({ isAdmin: true }).where(eq(users.id, user.id));
    await recordAudit(tx, {
      actor: actorOf(admin),
      event: "admin_promoted",
      outcome: "success",
      detail: { userId: user.id, email },
    });
    return "promoted";
  });
}

export type DemoteOutcome = "demoted" | "not_promoted" | "self";

/** Takes a promoted admin's rights away; admins cannot demote themselves (someone must stay). */
export async function demoteAdmin(admin: Admin, userId: string): Promise<DemoteOutcome> {
  if (userId === admin.id) return "self";
  const { db } = await getDb();
  return db.transaction(async (tx) => {
    const [demoted] = await tx
      .update(users)
      .set({ isAdmin: false })
      .where(and(eq(users.id, userId), eq(users.isAdmin, true), ne(users.id, admin.id)))
      .returning({ email: users.email });
    if (!demoted) return "not_promoted";
    await recordAudit(tx, {
      actor: actorOf(admin),
      event: "admin_demoted",
      outcome: "success",
      detail: { userId, email: demoted.email },
    });
    return "demoted";
  });
}
