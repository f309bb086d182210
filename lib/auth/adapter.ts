import "server-only";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import { eq } from "drizzle-orm";
import type { Adapter, AdapterAccount, AdapterUser } from "next-auth/adapters";
import { accounts, sessions, users, verificationTokens, type Db, type User } from "@/lib/db";
import { APICBASE_PROVIDER_ID } from "./provider";
import { hashSessionToken } from "./session-token";
import { AccountMismatchError } from "./sign-in-failures";
import { createApicbaseUser } from "./users";

function toAdapterUser(user: User): AdapterUser {
  return { ...user, email: user.email ?? "" };
}

function apicbaseUserIdOf(account: Pick<AdapterAccount, "provider" | "providerAccountId">): number | undefined {
  if (account.provider !== APICBASE_PROVIDER_ID || !/^[1-9]\d{0,15}$/.test(account.providerAccountId)) return undefined;
  return Number(account.providerAccountId);
}

/**
 * @auth/drizzle-adapter on the portal's tables, with three rules of its own:
 * - users are found by Apicbase user id (never by e-mail, so nobody is linked to an account by address);
 * - a new user gets its Apicbase user id (and its pending invitations) when it is created;
 * - account links keep no token: the portal never stores sign-in tokens;
 * - sessions are stored under the SHA-256 of their token (lib/auth/session-token.ts): Auth.js hands this adapter the
 *   cookie's token, the database sees only its hash, and the token goes back to Auth.js unchanged.
 */
export function portalAdapter(db: Db): Adapter {
  const base = DrizzleAdapter(db, {
    usersTable: users,
    accountsTable: accounts,
    sessionsTable: sessions,
    verificationTokensTable: verificationTokens,
  });

  const required = <T>(method: T | undefined): T => {
    if (!method) throw new Error("@auth/drizzle-adapter lacks a session method");
    return method;
  };
  const createSession = required(base.createSession);
  const getSessionAndUser = required(base.getSessionAndUser);
  const updateSession = required(base.updateSession);
  const deleteSession = required(base.deleteSession);

  return {
    ...base,
    async createSession(session) {
      const created = await createSession({ ...session, sessionToken: hashSessionToken(session.sessionToken) });
      return { ...created, sessionToken: session.sessionToken };
    },
    async getSessionAndUser(sessionToken) {
      const found = await getSessionAndUser(hashSessionToken(sessionToken));
      return found && { ...found, session: { ...found.session, sessionToken } };
    },
    async updateSession(session) {
      const updated = await updateSession({ ...session, sessionToken: hashSessionToken(session.sessionToken) });
      return updated && { ...updated, sessionToken: session.sessionToken };
    },
    async deleteSession(sessionToken) {
      await deleteSession(hashSessionToken(sessionToken));
    },
    async getUserByAccount(account) {
      const apicbaseUserId = apicbaseUserIdOf(account);
      if (apicbaseUserId === undefined) return null;
      const [user] = await db.select().from(users).where(eq(users.apicbaseUserId, apicbaseUserId));
      return user ? toAdapterUser(user) : null;
    },
    async getUserByEmail() {
      return null;
    },
    async createUser(data) {
      // The provider's profile() put it there; without it there is nobody to create.
      const { apicbaseUserId } = data as Partial<AdapterUser>;
      if (apicbaseUserId === undefined) throw new Error("The Apicbase profile carried no user id");
      const { user } = await createApicbaseUser(db, {
        apicbaseUserId,
        email: data.email,
        name: data.name ?? data.email,
      });
      return toAdapterUser(user);
    },
    async linkAccount(account) {
      const apicbaseUserId = apicbaseUserIdOf(account);
      const [owner] = await db
        .select({ apicbaseUserId: users.apicbaseUserId })
        .from(users)
        .where(eq(users.id, account.userId));
      // Auth.js links a new provider account to whoever is signed in; here that would merge two Apicbase users.
      if (apicbaseUserId === undefined || owner?.apicbaseUserId !== apicbaseUserId) {
        throw new AccountMismatchError("This browser is signed in as another portal user");
      }
      await db
        .insert(accounts)
        .values({
          userId: account.userId,
          type: account.type,
          provider: account.provider,
          providerAccountId: account.providerAccountId,
          scope: account.scope ?? null,
          token_type: account.token_type ?? null,
        })
        .onConflictDoNothing();
    },
  };
}
