/**
 * The associated data of every ciphertext stored in the database: binds it to its row and column, so a ciphertext
 * copied elsewhere does not decrypt. One module, so that the code sealing a column and `npm run keys:rotate`
 * (lib/crypto/sealed-columns.ts) cannot disagree.
 */
export const connectionTokenAad = (connectionId: string, kind: "access_token" | "refresh_token") =>
  `connection:${connectionId}:${kind}`;
export const clientSecretAad = (applicationId: string) => `application:${applicationId}:client_secret`;
export const codeVerifierAad = (linkId: string) => `authorization-link:${linkId}:code_verifier`;

/** A webhook endpoint's signing secret, current or the one a rotation replaced (lib/notifications/signing.ts). */
export const webhookSecretAad = (endpointId: string, which: "secret" | "previous_secret") =>
  `webhook_endpoint:${endpointId}:${which}`;

/** A re-authorization link a bulk job made, kept for the person who started the job (lib/bulk-jobs). */
export const bulkLinkAad = (itemId: string) => `bulk_job_item:${itemId}:link`;
