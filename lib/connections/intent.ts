import { z } from "zod";
import { openJson, sealJson } from "@/lib/crypto/sealed-json";
import type { Keyring } from "@/lib/crypto/secrets";

/**
 * A connect attempt between "Connect a library" and Apicbase's redirect back: kept in an encrypted, HttpOnly
 * cookie (the PKCE verifier never reaches the browser in the clear), bound to the user who started it.
 */
export const connectIntent = z.object({
  state: z.string().min(16),
  codeVerifier: z.string().min(43).optional(),
  userId: z.string(),
  organizationId: z.uuid(),
  applicationId: z.uuid(),
  redirectUri: z.string(),
  scopes: z.array(z.string()),
  reauthorizeConnectionId: z.uuid().optional(),
  createdAt: z.number(),
});
export type ConnectIntent = z.infer<typeof connectIntent>;

export const CONNECT_COOKIE = "portal_connect_intent";
/** Longer than a person needs at Apicbase's login and consent pages; the code itself lives 60 s after that. */
export const CONNECT_INTENT_TTL_MS = 15 * 60 * 1000;
const AAD = "connect-intent";

export function sealIntent(keyring: Keyring, intent: ConnectIntent): string {
  return sealJson(keyring, intent, AAD);
}

export function openIntent(keyring: Keyring, sealed: string | undefined, now: number): ConnectIntent | null {
  return openJson(keyring, sealed, AAD, connectIntent, (intent) => now - intent.createdAt <= CONNECT_INTENT_TTL_MS);
}

/**
 * A connect attempt with an application without a redirect URL: the same intent, plus the authorize link the
 * manual code page offers (again and again: each visit gets a new code, the PKCE verifier stays the same).
 */
export const manualIntent = connectIntent.extend({ authorizeUrl: z.url({ protocol: /^https?$/ }) });
export type ManualIntent = z.infer<typeof manualIntent>;

export const MANUAL_CODE_COOKIE = "portal_manual_code_intent";
export const MANUAL_CODE_PATH = "/connections/manual-code";
const MANUAL_AAD = "manual-code-intent";

export function sealManualIntent(keyring: Keyring, intent: ManualIntent): string {
  return sealJson(keyring, intent, MANUAL_AAD);
}

export function openManualIntent(keyring: Keyring, sealed: string | undefined, now: number): ManualIntent | null {
  return openJson(
    keyring,
    sealed,
    MANUAL_AAD,
    manualIntent,
    (intent) => now - intent.createdAt <= CONNECT_INTENT_TTL_MS,
  );
}
