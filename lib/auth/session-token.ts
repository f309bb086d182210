import { createHash } from "node:crypto";

/**
 * What the sessions table stores for a session token: its SHA-256, hex. The cookie carries the token; the database
 * only its hash, so a copy of the table (a backup, a read-only leak) opens no session. The hash also names the
 * session on /admin/sessions.
 */
export function hashSessionToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
