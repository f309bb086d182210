import { createHash } from "node:crypto";
import { cookies } from "next/headers";

/**
 * What the sessions table stores for a session token: its SHA-256, hex. The cookie carries the token; the database
 * only its hash, so a copy of the table (a backup, a read-only leak) opens no session. The hash also names the
 * session on /admin/sessions.
 */
export function hashSessionToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

// Auth.js names the cookie with the __Secure- prefix over https.
const SESSION_COOKIES = ["__Secure-authjs.session-token", "authjs.session-token"];

/** The id of the session this request is signed in with, if any. */
export async function currentSessionId(): Promise<string | null> {
  const jar = await cookies();
  for (const name of SESSION_COOKIES) {
    const value = jar.get(name)?.value;
    if (value) return hashSessionToken(value);
  }
  return null;
}
