/**
 * Every database column holding a ciphertext of lib/crypto/secrets.ts, with the associated data of its rows: what
 * `npm run keys:rotate` re-encrypts. A new sealed column is one more entry here (and a test in rotate.test.ts
 * fails until it is: it looks for `*_ciphertext` columns in the schema).
 */
import type { AnyPgColumn, PgTable } from "drizzle-orm/pg-core";
import { applications, authorizationLinks, bulkJobItems, connections, webhookEndpoints } from "@/lib/db/schema";
import { bulkLinkAad, clientSecretAad, codeVerifierAad, connectionTokenAad, webhookSecretAad } from "./associated-data";

export type SealedColumn = {
  /** `table.column`, as the rotation reports it. */
  label: string;
  table: PgTable;
  /** The row id the associated data names (text or uuid). */
  id: AnyPgColumn;
  column: AnyPgColumn;
  aad(id: string): string;
  /**
   * A version the row's writers compare-and-swap on (connections' token_version): the rotation writes only while
   * it is unchanged, and leaves it as it is, so a refresh under way still stores its new tokens.
   */
  version?: AnyPgColumn;
};

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  {
    label: "connections.access_token_ciphertext",
    table: connections,
    id: connections.id,
    column: connections.accessTokenCiphertext,
    aad: (id) => connectionTokenAad(id, "access_token"),
    version: connections.tokenVersion,
  },
  {
    label: "connections.refresh_token_ciphertext",
    table: connections,
    id: connections.id,
    column: connections.refreshTokenCiphertext,
    aad: (id) => connectionTokenAad(id, "refresh_token"),
    version: connections.tokenVersion,
  },
  {
    label: "applications.client_secret_ciphertext",
    table: applications,
    id: applications.id,
    column: applications.clientSecretCiphertext,
    aad: clientSecretAad,
  },
  {
    label: "authorization_links.code_verifier_ciphertext",
    table: authorizationLinks,
    id: authorizationLinks.id,
    column: authorizationLinks.codeVerifierCiphertext,
    aad: codeVerifierAad,
  },
  {
    label: "webhook_endpoints.secret_ciphertext",
    table: webhookEndpoints,
    id: webhookEndpoints.id,
    column: webhookEndpoints.secretCiphertext,
    aad: (id) => webhookSecretAad(id, "secret"),
  },
  {
    label: "webhook_endpoints.previous_secret_ciphertext",
    table: webhookEndpoints,
    id: webhookEndpoints.id,
    column: webhookEndpoints.previousSecretCiphertext,
    aad: (id) => webhookSecretAad(id, "previous_secret"),
  },
  {
    label: "bulk_job_items.link_ciphertext",
    table: bulkJobItems,
    id: bulkJobItems.id,
    column: bulkJobItems.linkCiphertext,
    aad: bulkLinkAad,
  },
];
