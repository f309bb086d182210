import { z } from "zod";
import { decryptSecret, encryptSecret, type Keyring } from "@/lib/crypto/secrets";

/**
 * What happened when someone approved through an authorization link, carried from the connect callback to
 * `/authorize/result` in an encrypted (hence signed), HttpOnly cookie that lives minutes and is read once: proxy.ts
 * moves it into a request header for that one page view and deletes it. A crafted `?outcome=connected` shows nothing.
 */
export const LINK_RESULT_COOKIE = "portal_link_result";
export const LINK_RESULT_PATH = "/authorize/result";
/** The request header proxy.ts hands the cookie's value to the page in; whatever a client sends under it is dropped. */
export const LINK_RESULT_HEADER = "x-portal-link-result";
/** Apicbase answers within seconds; the cookie only has to survive the redirect to the result page. */
export const LINK_RESULT_TTL_MS = 10 * 60 * 1000;
const AAD = "authorization-link-result";

const linkResult = z.object({
  /** Null when the approval matched no link (expired, withdrawn, already used). */
  linkId: z.uuid().nullable(),
  /** `connected`, `updated`, `reauthorized`, or a connect error key (lib/connections/notices.ts). */
  outcome: z.string().min(1).max(64),
  createdAt: z.number(),
});
export type LinkResult = z.infer<typeof linkResult>;

export function sealLinkResult(keyring: Keyring, result: LinkResult): string {
  return encryptSecret(keyring, JSON.stringify(linkResult.parse(result)), AAD);
}

/** The result, or null when there is none, it was tampered with, sealed for something else, or is too old. */
export function openLinkResult(keyring: Keyring, sealed: string | null | undefined, now: number): LinkResult | null {
  if (!sealed) return null;
  try {
    const result = linkResult.parse(JSON.parse(decryptSecret(keyring, sealed, AAD)));
    const age = now - result.createdAt;
    return age >= 0 && age <= LINK_RESULT_TTL_MS ? result : null;
  } catch {
    return null;
  }
}
