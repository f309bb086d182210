import { resolveApicbaseSettings, type ApicbaseTarget } from "@/lib/apicbase/config";
import type { Env } from "@/lib/env";
import { SANDBOX_ADMIN_EMAILS } from "@/lib/sandbox";

/** PORTAL_ADMIN_EMAILS: Apicbase usernames separated by commas, semicolons or white space, in any case. */
export function parseAdminEmails(raw: string): Set<string> {
  return new Set(
    raw
      .split(/[\s,;]+/)
      .map((email) => email.toLowerCase())
      .filter((email) => email.includes("@")),
  );
}

/** The configured admins; in the local sandbox without configuration, the demo admin. */
export function configuredAdminEmails(raw: string, target: ApicbaseTarget): Set<string> {
  const emails = parseAdminEmails(raw);
  return emails.size === 0 && target === "sandbox" ? new Set(SANDBOX_ADMIN_EMAILS) : emails;
}

export function adminEmailsFromEnv(env: Env): Set<string> {
  return configuredAdminEmails(env.PORTAL_ADMIN_EMAILS, resolveApicbaseSettings(env).target);
}

/**
 * Admins are whoever an admin promoted (`users.is_admin`), plus the configured e-mails' users: only the Apicbase user
 * each e-mail is bound to (`emailBound`, see lib/auth/users.ts), never whoever carries the address later.
 */
export function isPortalAdmin(
  user: { email: string | null; isAdmin: boolean; emailBound: boolean },
  adminEmails: ReadonlySet<string>,
): boolean {
  return user.isAdmin || (user.emailBound && user.email !== null && adminEmails.has(user.email.toLowerCase()));
}
