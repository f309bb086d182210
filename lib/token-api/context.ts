import "server-only";
import { resolveApicbaseSettings } from "@/lib/apicbase/config";
import { getKeyring } from "@/lib/connections/keyring";
import { getDb, type Database } from "@/lib/db";
import { env } from "@/lib/env";
import { describeError } from "@/lib/log";
import { apiError } from "./http";
import type { TokenApiContext } from "./types";
import { createTokenApiContext } from "./runtime";

// One per process and database: the rate limiter's buckets and the audit buffer must outlive a request.
const shared = globalThis as typeof globalThis & {
  __portalTokenApi?: { database: Database; context: TokenApiContext };
};

export async function tokenApiContext(): Promise<TokenApiContext> {
  const database = await getDb();
  if (shared.__portalTokenApi?.database === database) return shared.__portalTokenApi.context;
  const config = env();
  const context = createTokenApiContext({
    db: database.db,
    keyring: getKeyring(),
    settings: resolveApicbaseSettings(config),
    ratePerMinute: config.TOKEN_API_RATE_LIMIT,
    apicbaseRatePerMinute: config.APICBASE_API_RATE_LIMIT,
  });
  shared.__portalTokenApi = { database, context };
  return context;
}

/** Runs a token API request with the process's context; a portal that cannot build one answers JSON, not HTML. */
export async function withTokenApi(run: (ctx: TokenApiContext) => Promise<Response>): Promise<Response> {
  let ctx: TokenApiContext;
  try {
    ctx = await tokenApiContext();
  } catch (error) {
    console.error(`[token-api] not available: ${describeError(error)}`);
    return apiError(500, "internal_error", "The portal cannot serve tokens right now. Try again later.");
  }
  return run(ctx);
}
