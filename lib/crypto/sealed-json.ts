/**
 * A value kept sealed in a cookie (a connect attempt, a manual-code attempt, checked tokens waiting for the partner):
 * JSON encrypted with the token key for one purpose (`aad`), so the browser holds it without reading or changing it.
 */
import type { z } from "zod";
import { decryptSecret, encryptSecret, type Keyring } from "./secrets";

export function sealJson(keyring: Keyring, value: unknown, aad: string): string {
  return encryptSecret(keyring, JSON.stringify(value), aad);
}

/** What sealJson sealed for `aad`, checked by `schema`; null when absent, altered, of another shape or not `fresh`. */
export function openJson<Value>(
  keyring: Keyring,
  sealed: string | undefined,
  aad: string,
  schema: z.ZodType<Value>,
  fresh: (value: Value) => boolean,
): Value | null {
  if (!sealed) return null;
  try {
    const value = schema.parse(JSON.parse(decryptSecret(keyring, sealed, aad)));
    return fresh(value) ? value : null;
  } catch {
    return null;
  }
}
