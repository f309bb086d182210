import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigserial,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/** Every timestamp is `timestamp with time zone`, read and written as a JS Date (an instant, UTC). */
const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
const createdAt = () => timestamptz("created_at").notNull().defaultNow();
const updatedAt = () =>
  timestamptz("updated_at")
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());

/** `column IN ('a', 'b')` for CHECK constraints over a closed list of values. */
const oneOf = (column: AnyPgColumn, values: readonly string[]) =>
  sql`${column} in (${sql.raw(values.map((v) => `'${v}'`).join(", "))})`;

// ---------------------------------------------------------------------------------------------------------------
// Auth.js (next-auth v5) tables. The JS property names are the ones @auth/drizzle-adapter reads
// (DefaultPostgresSchema); the SQL names are snake_case like the rest of the schema.

export const users = pgTable("users", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name"),
  /** Apicbase username (an e-mail address). Not the identity: that is `apicbaseUserId`. */
  email: text("email").unique(),
  emailVerified: timestamptz("email_verified"),
  image: text("image"),
  /** Portal users are keyed on Apicbase's user id; the provider's profile() must return it. */
  apicbaseUserId: integer("apicbase_user_id").notNull().unique(),
  isAdmin: boolean("is_admin").notNull().default(false),
  createdAt: createdAt(),
});

/**
 * The adapter's account links. Sign-in tokens are never kept here (Apicbase tokens live only in `connections`,
 * encrypted): the CHECK rejects a row carrying one, so the auth module must strip them in linkAccount.
 */
export const accounts = pgTable(
  "accounts",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    provider: text("provider").notNull(),
    providerAccountId: text("provider_account_id").notNull(),
    refresh_token: text("refresh_token"),
    access_token: text("access_token"),
    expires_at: integer("expires_at"),
    token_type: text("token_type"),
    scope: text("scope"),
    id_token: text("id_token"),
    session_state: text("session_state"),
  },
  (t) => [
    primaryKey({ columns: [t.provider, t.providerAccountId] }),
    index("accounts_user_id_idx").on(t.userId),
    check(
      "accounts_no_tokens_at_rest",
      sql`${t.access_token} is null and ${t.refresh_token} is null and ${t.id_token} is null`,
    ),
  ],
);

/**
 * Auth.js sessions. `session_token` holds the SHA-256 (hex) of the cookie's token, never the token itself
 * (lib/auth/adapter.ts hashes on every call), so reading this table hands out no session.
 */
export const sessions = pgTable(
  "sessions",
  {
    sessionToken: text("session_token").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expires: timestamptz("expires").notNull(),
    /** When the session began (sign-in); Auth.js does not set it, the default does. */
    createdAt: createdAt(),
  },
  (t) => [index("sessions_user_id_idx").on(t.userId)],
);

export const verificationTokens = pgTable(
  "verification_tokens",
  {
    identifier: text("identifier").notNull(),
    token: text("token").notNull(),
    expires: timestamptz("expires").notNull(),
  },
  (t) => [primaryKey({ columns: [t.identifier, t.token] })],
);

/**
 * Which Apicbase user an e-mail address belongs to, for the portal: bound at the first sign-in with that address.
 * PORTAL_ADMIN_EMAILS and invitations grant rights to the bound user only; when the address later signs in as
 * another Apicbase user id (Apicbase usernames can be changed and reused), nothing is granted until another admin
 * confirms the new owner on /admin/members.
 */
export const emailBindings = pgTable(
  "email_bindings",
  {
    email: text("email").primaryKey(),
    apicbaseUserId: integer("apicbase_user_id").notNull(),
    boundAt: timestamptz("bound_at").notNull().defaultNow(),
    /** The admin who moved the binding to this user, when it was not the first sign-in. */
    confirmedByUserId: uuid("confirmed_by_user_id").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [check("email_bindings_email_lower_case", sql`${t.email} = lower(${t.email})`)],
);

// ---------------------------------------------------------------------------------------------------------------
// Organizations and their members.

export const organizations = pgTable(
  "organizations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull().unique(),
    createdAt: createdAt(),
  },
  // "Acme" and "ACME" are the same organization to the people choosing names.
  (t) => [uniqueIndex("organizations_name_lower_key").on(sql`lower(${t.name})`)],
);

export const memberships = pgTable(
  "memberships",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    role: text("role").notNull().default("member"),
    /** This member gets an e-mail for every notification event of the organization (when SMTP_URL is set). */
    emailAlerts: boolean("email_alerts").notNull().default(false),
    /** This member gets the daily digest of connections needing attention (when SMTP_URL is set). */
    emailDigest: boolean("email_digest").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.organizationId] }),
    index("memberships_organization_id_idx").on(t.organizationId),
  ],
);

/**
 * Pending members: an admin adds someone by Apicbase e-mail before that person ever signed in. At sign-in the
 * invitation becomes a membership and is deleted.
 */
export const invitations = pgTable(
  "invitations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    /** Lower case, so that matching an Apicbase username is a plain equality. */
    email: text("email").notNull(),
    invitedByUserId: uuid("invited_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("invitations_organization_email_key").on(t.organizationId, t.email),
    index("invitations_email_idx").on(t.email),
    check("invitations_email_lower_case", sql`${t.email} = lower(${t.email})`),
  ],
);

// ---------------------------------------------------------------------------------------------------------------
// Applications: client credentials a connection is issued to (only the issuing application can refresh it).

export const APPLICATION_REDIRECT_MODES = ["redirect", "oob"] as const;
export type ApplicationRedirectMode = (typeof APPLICATION_REDIRECT_MODES)[number];
export const APPLICATION_SOURCES = ["environment", "registered"] as const;
export type ApplicationSource = (typeof APPLICATION_SOURCES)[number];

/**
 * The last "Test credentials": what the token endpoint answered to a deliberately invalid code. Never the code or
 * the secret. Cleared when the secret is replaced.
 */
export type ApplicationCredentialsCheck = {
  result: "accepted" | "rejected" | "unreachable" | "timeout" | "rate_limited" | "server_error" | "unexpected";
  /** Apicbase's `error` value (e.g. `invalid_grant`), or null when it sent none. */
  apicbaseError: string | null;
  httpStatus: number | null;
  checkedAt: string;
};

export const applications = pgTable(
  "applications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    clientId: text("client_id").notNull().unique(),
    /** Encrypted with the row id as associated data; null for the application from the environment. */
    clientSecretCiphertext: text("client_secret_ciphertext"),
    redirectMode: text("redirect_mode").$type<ApplicationRedirectMode>().notNull().default("redirect"),
    scopes: text("scopes")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    source: text("source").$type<ApplicationSource>().notNull(),
    disabledAt: timestamptz("disabled_at"),
    /** Background refreshes of this application's connections wait until then: Apicbase refused its credentials. */
    refreshPausedUntil: timestamptz("refresh_paused_until"),
    /** Why they wait (an Apicbase error code such as `invalid_client`), never a secret. */
    refreshPausedReason: text("refresh_paused_reason"),
    credentialsCheck: jsonb("credentials_check").$type<ApplicationCredentialsCheck>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check("applications_redirect_mode_check", oneOf(t.redirectMode, APPLICATION_REDIRECT_MODES)),
    check("applications_source_check", oneOf(t.source, APPLICATION_SOURCES)),
    // The environment's secret stays in the environment; a registered application always has one at rest.
    check(
      "applications_secret_matches_source",
      sql`(${t.source} = 'environment') = (${t.clientSecretCiphertext} is null)`,
    ),
  ],
);

// ---------------------------------------------------------------------------------------------------------------
// Connections: one library connected to an organization through an application, with its (encrypted) tokens.

/** Stored states only; "expiring soon" and "expired but refreshable" are derived from the expiry. */
export const CONNECTION_STATUSES = [
  "active",
  "refresh_failing",
  "needs_reauthorization",
  "revoking",
  "revoked",
] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** The outcome of the last introspection; never the token itself. */
export type ConnectionVerification = {
  active: boolean;
  scope?: string | null;
  /** Expiry as reported by introspection, seconds since the epoch. */
  exp?: number | null;
  /** The library the token reached (Get Active Library), when the scopes allowed asking. */
  library?: { id: number; name: string } | null;
};

/**
 * The dashboard's sort keys over a connections row, each ending before the row's id (the tie-breaker that makes
 * keyset pages exact). lib/connections/queries.ts orders and pages by exactly these expressions and the indexes
 * below are on them, so every sort's pages come from an index, for one organization and across all of them.
 * Constants are inline: a bound parameter would not match the index expression.
 */
export function connectionSortKeys(t: {
  libraryName: AnyPgColumn;
  libraryId: AnyPgColumn;
  status: AnyPgColumn;
  backgroundRefreshFailures: AnyPgColumn;
  accessTokenExpiresAt: AnyPgColumn;
  lastRefreshedAt: AnyPgColumn;
  approvedByName: AnyPgColumn;
  approvedByEmail: AnyPgColumn;
}) {
  const expiry = sql`coalesce(${t.accessTokenExpiresAt}, 'infinity'::timestamptz)`;
  return {
    library: [sql`lower(${t.libraryName})`, t.libraryId],
    // Needs re-authorization, refresh failing, then by expiry (expired, expiring soon, active), revoking, revoked.
    status: [
      sql`(case ${sql.join(
        [
          sql`when ${t.status} = 'needs_reauthorization' then 0`,
          sql`when ${t.status} = 'refresh_failing' and ${t.backgroundRefreshFailures} > 0 then 1`,
          sql`when ${t.status} in ('active', 'refresh_failing') then 2`,
          sql`when ${t.status} = 'revoking' then 3`,
        ],
        sql` `,
      )} else 4 end)`,
      expiry,
    ],
    expiry: [expiry],
    refreshed: [sql`coalesce(${t.lastRefreshedAt}, '-infinity'::timestamptz)`],
    approved: [sql`lower(coalesce(${t.approvedByName}, ${t.approvedByEmail}, ''))`],
  };
}

export const connections = pgTable(
  "connections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => applications.id),
    libraryId: integer("library_id").notNull(),
    libraryName: text("library_name").notNull(),
    approvedByApicbaseUserId: integer("approved_by_apicbase_user_id"),
    approvedByEmail: text("approved_by_email"),
    approvedByName: text("approved_by_name"),
    status: text("status").$type<ConnectionStatus>().notNull().default("active"),
    scopes: text("scopes")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Encrypted with the connection id as associated data (see lib/crypto/secrets.ts). */
    accessTokenCiphertext: text("access_token_ciphertext"),
    refreshTokenCiphertext: text("refresh_token_ciphertext"),
    /** Bumped on every token write; writers compare-and-swap on it so a stale refresh cannot overwrite a newer pair. */
    tokenVersion: integer("token_version").notNull().default(0),
    accessTokenExpiresAt: timestamptz("access_token_expires_at"),
    lastRefreshedAt: timestamptz("last_refreshed_at"),
    /** An Apicbase error code (e.g. `invalid_grant`), never a token or response body. */
    lastRefreshError: text("last_refresh_error"),
    refreshFailureCount: integer("refresh_failure_count").notNull().default(0),
    /** Days with failed refreshes since the last success: a failure counts at most once a day. */
    refreshFailureDays: integer("refresh_failure_days").notNull().default(0),
    refreshFailureCountedAt: timestamptz("refresh_failure_counted_at"),
    /** When the last refresh failed (cleared by a success), and how many background retries failed since then. */
    lastRefreshFailedAt: timestamptz("last_refresh_failed_at"),
    backgroundRefreshFailures: integer("background_refresh_failures").notNull().default(0),
    nextRefreshAt: timestamptz("next_refresh_at"),
    /** Cross-process refresh lease: who holds it and until when. */
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: timestamptz("lease_expires_at"),
    /** The owner of an expired lease this one replaced: that refresh was interrupted and its outcome is unknown. */
    leaseTakenOverFrom: text("lease_taken_over_from"),
    lastVerifiedAt: timestamptz("last_verified_at"),
    lastVerification: jsonb("last_verification").$type<ConnectionVerification>(),
    /** The token version the last verification examined: once the tokens change, its result is history. */
    lastVerifiedTokenVersion: integer("last_verified_token_version"),
    /** The library the token follows now, when it drifted away from `libraryId`. */
    observedLibraryId: integer("observed_library_id"),
    revokedAt: timestamptz("revoked_at"),
    revokedByUserId: uuid("revoked_by_user_id").references(() => users.id, { onDelete: "set null" }),
    revokeReason: text("revoke_reason"),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("connections_organization_library_key").on(t.organizationId, t.libraryId),
    // By status, and by expiry within a status: the health panel's counts (needing re-authorization, active and
    // expiring within 48 h) as index-only ranges instead of a pass over the organization's rows.
    index("connections_organization_status_expiry_idx").on(t.organizationId, t.status, t.accessTokenExpiresAt),
    index("connections_organization_library_name_idx").on(t.organizationId, t.libraryName),
    // The dashboard's sorts (connectionSortKeys), per organization and across organizations (the admin list). The two
    // library ones also INCLUDE the library name (migration 0013, by hand: drizzle has no INCLUDE), for searches.
    ...Object.entries(connectionSortKeys(t)).flatMap(([key, parts]) => [
      index(`connections_organization_sort_${key}_idx`).on(t.organizationId, ...parts, t.id),
      index(`connections_sort_${key}_idx`).on(parts[0]!, ...parts.slice(1), t.id),
    ]),
    index("connections_organization_created_at_idx").on(t.organizationId, t.createdAt),
    index("connections_next_refresh_at_idx").on(t.nextRefreshAt),
    index("connections_application_id_idx").on(t.applicationId),
    check("connections_status_check", oneOf(t.status, CONNECTION_STATUSES)),
    check("connections_token_version_check", sql`${t.tokenVersion} >= 0`),
    check("connections_refresh_failure_count_check", sql`${t.refreshFailureCount} >= 0`),
    check("connections_refresh_failure_days_check", sql`${t.refreshFailureDays} >= 0`),
    // Revoking deletes the tokens on the portal side in every case.
    check(
      "connections_revoked_without_tokens",
      sql`${t.status} <> 'revoked' or (${t.accessTokenCiphertext} is null and ${t.refreshTokenCiphertext} is null)`,
    ),
  ],
);

// ---------------------------------------------------------------------------------------------------------------
// Audit log. No foreign keys: the log outlives the users, organizations and connections it mentions.

export const AUDIT_OUTCOMES = ["success", "failure"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    occurredAt: timestamptz("occurred_at").notNull().defaultNow(),
    actorUserId: uuid("actor_user_id"),
    /** Who acted, readable after the user is gone: an e-mail, "system:refresher", "api-key:<prefix>". */
    actorLabel: text("actor_label").notNull(),
    organizationId: uuid("organization_id"),
    connectionId: uuid("connection_id"),
    event: text("event").notNull(),
    outcome: text("outcome").$type<AuditOutcome>().notNull(),
    apicbaseError: text("apicbase_error"),
    /** Never a token, secret or API key. */
    detail: jsonb("detail").$type<Record<string, unknown>>(),
  },
  (t) => [
    index("audit_events_connection_occurred_at_idx").on(t.connectionId, t.occurredAt),
    index("audit_events_organization_occurred_at_idx").on(t.organizationId, t.occurredAt),
    index("audit_events_occurred_at_idx").on(t.occurredAt),
    check("audit_events_outcome_check", oneOf(t.outcome, AUDIT_OUTCOMES)),
  ],
);

// ---------------------------------------------------------------------------------------------------------------
// API keys for partner backends (the token API). Only a hash of the secret is stored.

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** The first characters of the key, shown so a user can tell keys apart. */
    prefix: text("prefix").notNull(),
    secretHash: text("secret_hash").notNull().unique(),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    lastUsedAt: timestamptz("last_used_at"),
    /** The address the key was last used from (kept after revoking, to trace a leaked key). */
    lastUsedAddress: text("last_used_address"),
    revokedAt: timestamptz("revoked_at"),
    /** The key stops working at this moment; null: it works until revoked. */
    expiresAt: timestamptz("expires_at"),
    /** What the key may do: list connections, hand out access tokens, call Apicbase through the proxy. */
    scopes: text("scopes")
      .array()
      .$type<ApiKeyScope[]>()
      .notNull()
      .default(sql`'{list,token,proxy}'::text[]`),
  },
  (t) => [
    index("api_keys_organization_id_idx").on(t.organizationId),
    check(
      "api_keys_scopes_check",
      sql`cardinality(${t.scopes}) > 0 and ${t.scopes} <@ array['list','token','proxy']::text[]`,
    ),
  ],
);

export const API_KEY_SCOPES = ["list", "token", "proxy"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

// ---------------------------------------------------------------------------------------------------------------
// The Apicbase API proxy: calls per application under Apicbase's rate limit, shared by every process (a token
// bucket, and the pause Apicbase asked for with Retry-After), and the aggregate audit of proxied calls.

export const apicbaseApiLimits = pgTable("apicbase_api_limits", {
  applicationId: uuid("application_id")
    .primaryKey()
    .references(() => applications.id, { onDelete: "cascade" }),
  tokens: doublePrecision("tokens").notNull(),
  refilledAt: timestamptz("refilled_at").notNull(),
  /** No proxied call of this application before this moment: Apicbase answered 429 with Retry-After. */
  pausedUntil: timestamptz("paused_until"),
});

/** One row per API key, connection and hour: how many calls went through the proxy. Never a body or a path. */
export const apiProxyUsage = pgTable(
  "api_proxy_usage",
  {
    apiKeyId: uuid("api_key_id").notNull(),
    connectionId: uuid("connection_id").notNull(),
    hour: timestamptz("hour").notNull(),
    organizationId: uuid("organization_id").notNull(),
    calls: integer("calls").notNull().default(0),
    /** Calls Apicbase answered with a 4xx or 5xx, or that did not reach it. */
    failures: integer("failures").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.apiKeyId, t.connectionId, t.hour] }),
    index("api_proxy_usage_organization_hour_idx").on(t.organizationId, t.hour),
  ],
);

// ---------------------------------------------------------------------------------------------------------------
// Authorization links: a single-use, expiring link someone without a portal account (the library owner) opens to
// approve at Apicbase; it connects a new library for a named customer, or re-authorizes an existing connection.
// Only a hash of the link's secret is stored; the PKCE verifier of the attempt under way is encrypted.

export const LINK_OUTCOMES = ["connected", "updated", "reauthorized"] as const;
export type LinkOutcome = (typeof LINK_OUTCOMES)[number];

export const authorizationLinks = pgTable(
  "authorization_links",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tokenHash: text("token_hash").notNull().unique(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => applications.id),
    /** Set for a re-authorization link; null for a link that connects a new library. */
    connectionId: uuid("connection_id").references(() => connections.id, { onDelete: "cascade" }),
    /** Whom the link is for, as the partner named them (connect links). */
    customerLabel: text("customer_label"),
    /** The authorization attempt under way: its `state`, and the PKCE verifier (encrypted, the row id as AAD). */
    state: text("state").unique(),
    codeVerifierCiphertext: text("code_verifier_ciphertext"),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    expiresAt: timestamptz("expires_at").notNull(),
    usedAt: timestamptz("used_at"),
    /** The connection the approval created or restored. */
    resultConnectionId: uuid("result_connection_id"),
    /**
     * What the approval did: a new connection, an update of a library the organization had already connected (a
     * connect link used for it: flagged on /links), or a re-authorization. With the library the approver had active
     * and who approved, as they were at that moment, next to the name the link was made for.
     */
    resultOutcome: text("result_outcome").$type<LinkOutcome>(),
    resultLibraryId: integer("result_library_id"),
    resultLibraryName: text("result_library_name"),
    resultApprovedBy: text("result_approved_by"),
  },
  (t) => [
    index("authorization_links_organization_id_idx").on(t.organizationId, t.createdAt),
    check("authorization_links_result_outcome_check", oneOf(t.resultOutcome, LINK_OUTCOMES)),
  ],
);

// ---------------------------------------------------------------------------------------------------------------
// The token lifecycle engine's state shared by every process: the refresh budget under Apicbase's rate limit, a
// pause Apicbase asked for (Retry-After), and the circuit breaker of background refreshes. One row per Apicbase.

export const BREAKER_STATES = ["closed", "open", "half_open"] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

export const refreshControl = pgTable(
  "refresh_control",
  {
    id: text("id").primaryKey(),
    /** Token bucket of background refreshes, refilled at the configured rate up to its burst. */
    budgetTokens: doublePrecision("budget_tokens").notNull().default(0),
    budgetRefilledAt: timestamptz("budget_refilled_at").notNull().defaultNow(),
    /** No refresh before this moment: Apicbase answered 429 or 503 with Retry-After. */
    pausedUntil: timestamptz("paused_until"),
    breakerState: text("breaker_state").$type<BreakerState>().notNull().default("closed"),
    /** Background refreshes in a row that failed because Apicbase was down (5xx, timeout, network). */
    breakerFailures: integer("breaker_failures").notNull().default(0),
    breakerOpenUntil: timestamptz("breaker_open_until"),
    breakerCooldownSeconds: integer("breaker_cooldown_seconds").notNull().default(60),
    /** When the single trial refresh of a half-open breaker started. */
    breakerProbeStartedAt: timestamptz("breaker_probe_started_at"),
    updatedAt: updatedAt(),
  },
  (t) => [
    check("refresh_control_breaker_state_check", oneOf(t.breakerState, BREAKER_STATES)),
    check("refresh_control_breaker_failures_check", sql`${t.breakerFailures} >= 0`),
  ],
);

// ---------------------------------------------------------------------------------------------------------------
// Attempt counters shared by every process: failed API key attempts per address, sign-in and connect starts per
// address or session. One row per key and fixed window; rows of past windows are deleted as new ones are written.

export const attemptCounters = pgTable(
  "attempt_counters",
  {
    key: text("key").notNull(),
    windowStartedAt: timestamptz("window_started_at").notNull(),
    count: integer("count").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.key, t.windowStartedAt] }),
    index("attempt_counters_window_idx").on(t.windowStartedAt),
  ],
);

// ---------------------------------------------------------------------------------------------------------------
// Notifications: a transactional outbox of events (written in the transaction that changed the connection), the
// organization's webhook endpoints, one delivery per endpoint and event, and every attempt of it.

export { NOTIFICATION_EVENT_TYPES, TEST_EVENT_TYPE, type NotificationEventType } from "../notifications/event-types";

export const WEBHOOK_DISABLED_REASONS = ["member", "failing"] as const;
export type WebhookDisabledReason = (typeof WEBHOOK_DISABLED_REASONS)[number];

export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    eventTypes: text("event_types").array().notNull(),
    /** The signing secret (`whsec_…`), sealed with the endpoint id as associated data (lib/crypto/secrets.ts). */
    secretCiphertext: text("secret_ciphertext").notNull(),
    /** The secret a rotation replaced: it keeps signing alongside the new one until `previousSecretExpiresAt`. */
    previousSecretCiphertext: text("previous_secret_ciphertext"),
    previousSecretExpiresAt: timestamptz("previous_secret_expires_at"),
    disabledAt: timestamptz("disabled_at"),
    disabledReason: text("disabled_reason").$type<WebhookDisabledReason>(),
    /** The first failed delivery since the last success; failing for 3 days disables the endpoint. */
    failingSince: timestamptz("failing_since"),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("webhook_endpoints_organization_id_idx").on(t.organizationId),
    check(
      "webhook_endpoints_disabled_reason_check",
      sql`${t.disabledReason} is null or ${oneOf(t.disabledReason, WEBHOOK_DISABLED_REASONS)}`,
    ),
  ],
);

/** The outbox. The payload never holds a token: ids, names, status, scopes, expiry, reason and error code. */
export const notificationEvents = pgTable(
  "notification_events",
  {
    /** `evt_…`: the Standard Webhooks `webhook-id` of every delivery of this event. */
    id: text("id").primaryKey(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    connectionId: uuid("connection_id"),
    type: text("type").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    occurredAt: timestamptz("occurred_at").notNull().defaultNow(),
    /** Set once the opted-in members were e-mailed (or there was nobody to e-mail); null while e-mail is pending. */
    emailedAt: timestamptz("emailed_at"),
  },
  (t) => [
    index("notification_events_organization_occurred_at_idx").on(t.organizationId, t.occurredAt),
    index("notification_events_email_pending_idx")
      .on(t.occurredAt)
      .where(sql`${t.emailedAt} is null`),
  ],
);

/** When each organization's daily digest of connections needing attention was last sent (claimed). */
export const notificationDigests = pgTable("notification_digests", {
  organizationId: uuid("organization_id")
    .primaryKey()
    .references(() => organizations.id, { onDelete: "cascade" }),
  lastSentAt: timestamptz("last_sent_at").notNull(),
});

export const WEBHOOK_DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    eventId: text("event_id")
      .notNull()
      .references(() => notificationEvents.id, { onDelete: "cascade" }),
    status: text("status").$type<WebhookDeliveryStatus>().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamptz("next_attempt_at"),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: timestamptz("lease_expires_at"),
    lastAttemptAt: timestamptz("last_attempt_at"),
    lastStatusCode: integer("last_status_code"),
    /** Why the last attempt failed, as a code (`timeout`, `blocked_address`, `http_500`…). */
    lastError: text("last_error"),
    lastDurationMs: integer("last_duration_ms"),
    deliveredAt: timestamptz("delivered_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_endpoint_event_key").on(t.endpointId, t.eventId),
    index("webhook_deliveries_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
    index("webhook_deliveries_endpoint_created_at_idx").on(t.endpointId, t.createdAt),
    check("webhook_deliveries_status_check", oneOf(t.status, WEBHOOK_DELIVERY_STATUSES)),
  ],
);

export const webhookDeliveryAttempts = pgTable(
  "webhook_delivery_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    deliveryId: uuid("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    endpointId: uuid("endpoint_id").notNull(),
    attempt: integer("attempt").notNull(),
    attemptedAt: timestamptz("attempted_at").notNull(),
    durationMs: integer("duration_ms").notNull(),
    statusCode: integer("status_code"),
    error: text("error"),
    /** When the next attempt is planned; null when delivered or given up. */
    nextAttemptAt: timestamptz("next_attempt_at"),
  },
  (t) => [index("webhook_delivery_attempts_endpoint_idx").on(t.endpointId, t.attemptedAt)],
);

// ---------------------------------------------------------------------------------------------------------------
// Bulk actions: one action (verify, refresh, re-authorization links, revoke) over a selection of connections or
// everything a filter matched, run in the background one connection at a time. Each connection is an item with its
// own outcome; items are claimed under a short lease (FOR UPDATE SKIP LOCKED), so any process may work on a job and
// a job outlives a restart.

export const BULK_ACTIONS = ["verify", "refresh", "reauthorization_links", "revoke"] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
export const BULK_JOB_STATUSES = ["running", "done", "cancelled"] as const;
export type BulkJobStatus = (typeof BULK_JOB_STATUSES)[number];
export const BULK_ITEM_STATUSES = ["pending", "done", "failed", "skipped", "cancelled"] as const;
export type BulkItemStatus = (typeof BULK_ITEM_STATUSES)[number];

export const bulkJobs = pgTable(
  "bulk_jobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Null: an admin's job over every organization's connections. */
    organizationId: uuid("organization_id").references(() => organizations.id, { onDelete: "cascade" }),
    action: text("action").$type<BulkAction>().notNull(),
    status: text("status").$type<BulkJobStatus>().notNull().default("running"),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdByLabel: text("created_by_label").notNull(),
    /** Why (revoke): one reason for every connection of the job. */
    reason: text("reason"),
    /** What was chosen: the selected connections, or the list's filters (as their query string). */
    selection: text("selection").$type<"selected" | "filter">().notNull(),
    filterQuery: text("filter_query"),
    /** Connections the selection or filter matched, and of those the ones the action applies to (the items). */
    matched: integer("matched").notNull(),
    total: integer("total").notNull(),
    createdAt: createdAt(),
    finishedAt: timestamptz("finished_at"),
    cancelledByLabel: text("cancelled_by_label"),
  },
  (t) => [
    index("bulk_jobs_organization_created_at_idx").on(t.organizationId, t.createdAt),
    index("bulk_jobs_running_idx")
      .on(t.createdAt)
      .where(sql`${t.status} = 'running'`),
    check("bulk_jobs_action_check", oneOf(t.action, BULK_ACTIONS)),
    check("bulk_jobs_status_check", oneOf(t.status, BULK_JOB_STATUSES)),
  ],
);

export const bulkJobItems = pgTable(
  "bulk_job_items",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Claim order: oldest job first, then the list's order. */
    seq: bigserial("seq", { mode: "number" }).notNull(),
    jobId: uuid("job_id")
      .notNull()
      .references(() => bulkJobs.id, { onDelete: "cascade" }),
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => connections.id, { onDelete: "cascade" }),
    organizationId: uuid("organization_id").notNull(),
    status: text("status").$type<BulkItemStatus>().notNull().default("pending"),
    /** A code for what happened (`active`, `refreshed`, `link_created`, `revoked`, an Apicbase error…). */
    result: text("result"),
    /** The operation's own sentence about it, as its single action would have shown it. */
    message: text("message"),
    /** The re-authorization link made for this connection, and its secret, encrypted (the item id as AAD). */
    linkId: uuid("link_id").references(() => authorizationLinks.id, { onDelete: "set null" }),
    linkCiphertext: text("link_ciphertext"),
    attempts: integer("attempts").notNull().default(0),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: timestamptz("lease_expires_at"),
    finishedAt: timestamptz("finished_at"),
  },
  (t) => [
    uniqueIndex("bulk_job_items_job_connection_key").on(t.jobId, t.connectionId),
    index("bulk_job_items_job_status_idx").on(t.jobId, t.status),
    index("bulk_job_items_job_seq_idx").on(t.jobId, t.seq),
    index("bulk_job_items_pending_idx")
      .on(t.seq)
      .where(sql`${t.status} = 'pending'`),
    check("bulk_job_items_status_check", oneOf(t.status, BULK_ITEM_STATUSES)),
  ],
);

// Row types.

export type AuthorizationLink = typeof authorizationLinks.$inferSelect;
export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type Account = typeof accounts.$inferSelect;
export type NewAccount = typeof accounts.$inferInsert;
export type Session = typeof sessions.$inferSelect;
export type NewSession = typeof sessions.$inferInsert;
export type VerificationToken = typeof verificationTokens.$inferSelect;
export type NewVerificationToken = typeof verificationTokens.$inferInsert;
export type Organization = typeof organizations.$inferSelect;
export type NewOrganization = typeof organizations.$inferInsert;
export type Membership = typeof memberships.$inferSelect;
export type NewMembership = typeof memberships.$inferInsert;
export type Invitation = typeof invitations.$inferSelect;
export type NewInvitation = typeof invitations.$inferInsert;
export type Application = typeof applications.$inferSelect;
export type NewApplication = typeof applications.$inferInsert;
export type Connection = typeof connections.$inferSelect;
export type NewConnection = typeof connections.$inferInsert;
export type AuditEvent = typeof auditEvents.$inferSelect;
export type NewAuditEvent = typeof auditEvents.$inferInsert;
export type ApiKey = typeof apiKeys.$inferSelect;
export type RefreshControl = typeof refreshControl.$inferSelect;
export type NewApiKey = typeof apiKeys.$inferInsert;
export type EmailBinding = typeof emailBindings.$inferSelect;
export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type NotificationEvent = typeof notificationEvents.$inferSelect;
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
export type BulkJob = typeof bulkJobs.$inferSelect;
export type BulkJobItem = typeof bulkJobItems.$inferSelect;
