import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";

const url = z.url({ protocol: /^https?$/ });

/**
 * The portal's configuration, validated once on first use. Names and defaults are those of DESIGN.md.
 * Read lazily: `next build` imports modules while no runtime configuration exists.
 */
export function readEnv(source: NodeJS.ProcessEnv = process.env) {
  return createEnv({
    server: {
      NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
      DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL").optional(),
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
      PORTAL_URL: url.optional(),
      EMULATOR_PORT: z.coerce.number().int().min(1).max(65535).default(4010),
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
