/**
 * Signing secrets and signatures (Standard Webhooks, with the `standardwebhooks` package, so receivers verify with
 * any Standard Webhooks library). A secret is `whsec_` and 32 random bytes in base64; it is shown once and stored
 * sealed with the endpoint id as associated data. During a rotation both secrets sign: `webhook-signature` then
 * carries two space-separated `v1,` signatures and a receiver holding either secret verifies.
 */
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { webhookSecretAad } from "@/lib/crypto/associated-data";
import { decryptSecret, encryptSecret, type Keyring } from "@/lib/crypto/secrets";

export const SECRET_PREFIX = "whsec_";
/** How long the replaced secret keeps signing after a rotation. */
export const ROTATION_OVERLAP_MS = 24 * 3600_000;

export function generateSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString("base64")}`;
}

/** The associated data of an endpoint's sealed secrets: copied to another row or column, they do not decrypt. */
export const signingSecretAad = webhookSecretAad;

export function sealSigningSecret(
  keyring: Keyring,
  endpointId: string,
  secret: string,
  which: "secret" | "previous_secret" = "secret",
): string {
  return encryptSecret(keyring, secret, signingSecretAad(endpointId, which));
}

export function openSigningSecret(
  keyring: Keyring,
  endpointId: string,
  ciphertext: string,
  which: "secret" | "previous_secret" = "secret",
): string {
  return decryptSecret(keyring, ciphertext, signingSecretAad(endpointId, which));
}

export type SignedHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

/** The three Standard Webhooks headers for one delivery attempt, signed with every given secret. */
export function signDelivery(secrets: string[], messageId: string, at: Date, body: string): SignedHeaders {
  const signatures = secrets.map((secret) => new Webhook(secret).sign(messageId, at, body));
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": signatures.join(" "),
  };
}
