import "server-only";
import { headers } from "next/headers";
import { currentSessionId } from "@/lib/auth/session-token";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { clientAddress } from "./address";
import { CONNECT_START_RULE, countAttempt, SIGN_IN_START_RULE, type AttemptVerdict } from "./counters";

/** The address of the request being handled (see address.ts for when it can be trusted). */
export async function requestAddress(): Promise<string> {
  return clientAddress(await headers(), { trustProxy: env().TRUST_PROXY === "1" });
}

/** Counts a "Sign in with Apicbase" start of this address (nobody is signed in yet, so there is no session). */
export async function countSignInStart(address?: string): Promise<AttemptVerdict> {
  const { db } = await getDb();
  const rule = { ...SIGN_IN_START_RULE, limit: env().SIGN_IN_START_LIMIT };
  return countAttempt(db, rule, address ?? (await requestAddress()));
}

/** Counts a connect or re-authorize start of the signed-in session (by the hash of its token). */
export async function countConnectStart(): Promise<AttemptVerdict> {
  const { db } = await getDb();
  const session = await currentSessionId();
  return countAttempt(db, CONNECT_START_RULE, session ?? `address:${await requestAddress()}`);
}
