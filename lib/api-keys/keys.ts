/**
 * Organization API keys for partner backends: `apb_` and 43 characters of base64url (256 random bits). Only a
 * SHA-256 of the key is stored: with that much entropy a fast hash is enough, and it makes the lookup one index read.
 */
import { createHash, randomBytes } from "node:crypto";

export const API_KEY_PREFIX = "apb_";
const API_KEY_PATTERN = /^apb_[A-Za-z0-9_-]{43}$/;
/** How much of a key the portal shows and audits so people can tell keys apart: `apb_` and 8 characters. */
const SHOWN_LENGTH = API_KEY_PREFIX.length + 8;

export type GeneratedApiKey = {
  /** Shown once, to the person who created it; never stored, logged or audited. */
  key: string;
  prefix: string;
  secretHash: string;
};

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export function generateApiKey(): GeneratedApiKey {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { key, prefix: key.slice(0, SHOWN_LENGTH), secretHash: hashApiKey(key) };
}

/** Whether a value could be a key at all (checked before any database read). */
export function isApiKeyShaped(value: string): boolean {
  return API_KEY_PATTERN.test(value);
}
