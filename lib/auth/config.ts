import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import type { Account, DefaultSession, NextAuthConfig, Profile, Session } from "next-auth";
import { ApicbaseClient, isApicbaseError, resolveApicbaseSettings } from "@/lib/apicbase";
import { recordAudit } from "@/lib/audit";
import { getDb, memberships, organizations, pick, type Db } from "@/lib/db";
import { env } from "@/lib/env";
import { portalAdapter } from "./adapter";
import { adminEmailsFromEnv, isPortalAdmin } from "./admins";
import { APICBASE_PROVIDER_ID, apicbaseProvider } from "./provider";
import { authRedirect } from "./return-path";
import { describeForLog } from "./sign-in-failures";
import { ownsEmail, syncApicbaseUser, type ApicbaseIdentity } from "./users";

export type SessionMembership = { organizationId: string; organizationName: string; role: string };

declare module "next-auth" {
  interface Session {
    user: {
      id: string;
      isAdmin: boolean;
      /** Oldest first; empty for someone no admin added to an organization yet. */
      memberships: SessionMembership[];
    } & DefaultSession["user"];
  }

  interface User {
    apicbaseUserId?: number;
  }
}

declare module "@auth/core/adapters" {
  /** The portal's users row, as the adapter returns it. */
  interface AdapterUser {
    apicbaseUserId: number;
    isAdmin: boolean;
  }
}

export const AUTH_PAGES = { signIn: "/signin", error: "/signin/error" } as const;

/** Idle limit (seconds): a session unused for this long ends. Activity extends it at most every SESSION_UPDATE_AGE. */
export const SESSION_MAX_AGE = 8 * 3600;
export const SESSION_UPDATE_AGE = 15 * 60;

/** Errors Auth.js logs while handling one request, so the route handler can tell the error page what happened. */
export const loggedAuthErrors = new AsyncLocalStorage<unknown[]>();

const logger: NonNullable<NextAuthConfig["logger"]> = {
  // Auth.js's own logger prints causes and response bodies; this prints error names only.
  error(error) {
    loggedAuthErrors.getStore()?.push(error);
    console.error(`[auth] ${describeForLog(error)}`);
  },
  warn(code) {
    console.warn(`[auth] warning: ${code}`);
  },
  debug() {},
};

type Dependencies = { db: Db; client: ApicbaseClient; adminEmails: Set<string> };

let dependencies: Promise<Dependencies> | undefined;

/** Read at the first request, not at build time: `next build` has neither the secrets nor the database. */
function loadDependencies(): Promise<Dependencies> {
  dependencies ??= (async () => {
    const config = env();
    const settings = resolveApicbaseSettings(config);
    // Pin Auth.js's idea of the portal's URL (redirect URI, callback links) to the configured one, so a forged
    // Host or X-Forwarded-Host header cannot steer it.
    if (config.PORTAL_URL) process.env.AUTH_URL ??= config.PORTAL_URL;
    const { db } = await getDb();
    const client = new ApicbaseClient({
      endpoints: settings.endpoints,
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      timeoutMs: settings.timeoutMs,
    });
    return { db, client, adminEmails: adminEmailsFromEnv(config) };
  })().catch((error: unknown) => {
    dependencies = undefined;
    throw error;
  });
  return dependencies;
}

function identityOf(profile: Profile | undefined): ApicbaseIdentity | undefined {
  const { id, email, name } = (profile ?? {}) as Record<string, unknown>;
  if (typeof id !== "number" || typeof email !== "string" || typeof name !== "string") return undefined;
  return { apicbaseUserId: id, email, name };
}

/** The portal does not keep sign-in tokens, so it revokes them instead of leaving a live grant behind. */
function discardSignInGrant(client: ApicbaseClient, account: Account | null | undefined) {
  const token = account?.refresh_token ?? account?.access_token;
  if (!token) return;
  client.revoke(token, account?.refresh_token ? "refresh_token" : "access_token").catch((error: unknown) => {
    // ApicbaseError messages name the endpoint and the failure, never a token.
    console.warn(
      `[auth] could not revoke the sign-in grant: ${isApicbaseError(error) ? error.message : describeForLog(error)}`,
    );
  });
}

export async function membershipsOf(db: Db, userId: string): Promise<SessionMembership[]> {
  return db
    .select({ ...pick(memberships, "organizationId", "role"), organizationName: organizations.name })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt), asc(organizations.name));
}

export async function buildAuthConfig(): Promise<NextAuthConfig> {
  const { db, client, adminEmails } = await loadDependencies();
  return {
    secret: env().AUTH_SECRET,
    trustHost: true,
    adapter: portalAdapter(db),
    providers: [apicbaseProvider(resolveApicbaseSettings(env()), client)],
    session: {
      strategy: "database",
      maxAge: SESSION_MAX_AGE,
      updateAge: SESSION_UPDATE_AGE,
      // 256 bits; Auth.js's default (a UUID) has 122.
      generateSessionToken: () => randomBytes(32).toString("base64url"),
    },
    pages: AUTH_PAGES,
    logger,
    callbacks: {
      // After signing in or out: only a path on this portal, through the same check as every other return path.
      redirect: async (params) => authRedirect(params),
      async signIn({ account, profile }) {
        const identity = identityOf(profile);
        if (account?.provider !== APICBASE_PROVIDER_ID || !identity) return false;
        // A returning user: e-mail and name as Apicbase knows them now, invitations sent since. New users get the
        // same from the adapter's createUser.
        await syncApicbaseUser(db, identity);
        return true;
      },
      // Built field by field: Auth.js hands this callback its session row, session token included.
      async session({ session, user }): Promise<Session> {
        // Only a configured admin e-mail costs a look-up: is it bound to this Apicbase user?
        const configured = user.email !== "" && adminEmails.has(user.email.toLowerCase());
        const emailBound = configured && (await ownsEmail(db, user.email, user.apicbaseUserId));
        return {
          expires: new Date(session.expires).toISOString(),
          user: {
            id: user.id,
            name: user.name,
            email: user.email,
            isAdmin: isPortalAdmin({ email: user.email, isAdmin: user.isAdmin, emailBound }, adminEmails),
            memberships: await membershipsOf(db, user.id),
          },
        };
      },
    },
    events: {
      async signIn({ user, account, isNewUser }) {
        discardSignInGrant(client, account);
        if (!user.id) return;
        const joined = await membershipsOf(db, user.id);
        await recordAudit(db, {
          actor: { id: user.id, email: user.email ?? null },
          event: "signed_in",
          outcome: "success",
          organizationId: joined.length === 1 ? joined[0]?.organizationId : null,
          detail: {
            apicbaseUserId: user.apicbaseUserId ?? null,
            newUser: Boolean(isNewUser),
            organizations: joined.map((membership) => membership.organizationId),
          },
        });
      },
    },
  };
}
