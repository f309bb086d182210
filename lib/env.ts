import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";

const url = z.url({ protocol: /^https?$/ });

/**
 * The portal's configuration, validated once on first use; README.md (Configuration) describes each variable.
 * Read lazily: `next build` imports modules while no runtime configuration exists.
 */
export function readEnv(source: NodeJS.ProcessEnv = process.env) {
  return createEnv({
    server: {
      NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
      DATABASE_URL: z
        .string()
        .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
        .optional(),
      DATA_DIR: z.string().default(".data"),
      AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
      TOKEN_ENCRYPTION_KEY: z.string().optional(),
      AUTH_APICBASE_ID: z.string().min(1).optional(),
      AUTH_APICBASE_SECRET: z.string().min(1).optional(),
      APICBASE_BASE_URL: url.optional(),
      APICBASE_AUTHORIZE_URL: url.optional(),
      APICBASE_TOKEN_URL: url.optional(),
      APICBASE_INTROSPECT_URL: url.optional(),
      APICBASE_REVOKE_URL: url.optional(),
      APICBASE_API_URL: url.optional(),
      APICBASE_SCOPES: z.string().default("accounts library"),
      APICBASE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
      PORTAL_ADMIN_EMAILS: z.string().default(""),
      /** "Sign in with Apicbase" starts per client address per 10 minutes, across all processes. */
      SIGN_IN_START_LIMIT: z.coerce.number().int().min(1).max(100_000).default(60),
      PORTAL_URL: url.optional(),
      /** "1": the local sandbox (no Apicbase credentials) may run with NODE_ENV=production. */
      SANDBOX: z.enum(["0", "1"], { error: "must be 1 (allow the sandbox in production) or 0" }).optional(),
      /** "1": a proxy in front of the portal sets X-Forwarded-Host / -Proto, and they are believed. */
      TRUST_PROXY: z.enum(["0", "1"], { error: "must be 1 (believe X-Forwarded-* headers) or 0" }).optional(),
      EMULATOR_PORT: z.coerce.number().int().min(1).max(65535).default(4010),
      /** The background refresher inside the web server: "off" when `npm run worker` does it, or in journeys. */
      REFRESHER: z.enum(["on", "off"]).default("on"),
      /** Background refreshes per minute, shared by every process; Apicbase allows 100 requests a minute in all. */
      REFRESH_BUDGET_PER_MINUTE: z.coerce.number().int().min(1).max(90).default(20),
      /** Refreshes one process runs at once. */
      REFRESH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
      /** Token API requests per minute per API key (per process). */
      TOKEN_API_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(600),
      /**
       * Calls through the Apicbase API proxy per minute per application, shared by every process (at most a third
       * more in any one minute); with the refresh budget, under Apicbase's 100 requests a minute.
       */
      APICBASE_API_RATE_LIMIT: z.coerce.number().int().min(1).max(6000).default(60),
      /** Port of `npm run token-api`, the token API without Next.js. */
      TOKEN_API_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
      /** "1": webhooks may go to http and private, loopback or link-local addresses (always so in the sandbox). */
      WEBHOOK_ALLOW_PRIVATE_URLS: z.enum(["0", "1"]).default("0"),
      /** The delivery loop of webhooks and e-mail in this process: "off" where only workers deliver. */
      NOTIFICATIONS: z.enum(["on", "off"]).default("on"),
      /** The runner of bulk actions in this process: "off" where only workers run them. */
      BULK_JOBS: z.enum(["on", "off"]).default("on"),
      /** SMTP server for e-mail alerts (smtp:// or smtps://, with credentials); unset: no e-mail. */
      SMTP_URL: z
        .string()
        .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
        .optional(),
      /** The sender of e-mail alerts. */
      SMTP_FROM: z.string().default("Apicbase partner portal <no-reply@localhost>"),
    },
    client: {},
    runtimeEnv: source as Record<string, string | undefined>,
    emptyStringAsUndefined: true,
  });
}

export type Env = ReturnType<typeof readEnv>;

let cached: Env | undefined;
export function env(): Env {
  cached ??= readEnv();
  return cached;
}
