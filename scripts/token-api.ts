/**
 * `npm run token-api`: the token API (`/api/v1/...`) as a process of its own, without Next.js, for deployments on
 * PostgreSQL whose backends fetch tokens at high rates: route `/api/v1/` of the portal's host to it. Same handlers,
 * keys, rate limit and audit as the portal's own routes. On SIGINT/SIGTERM it takes no new connection and starts no
 * new refresh (a request that needs one gets 503 with Retry-After), waits for the refreshes already sent to Apicbase
 * to be stored and answered, writes the pending audit entries and exits (within APICBASE_TIMEOUT_MS + 5 s).
 */
import { loadEnvConfig } from "@next/env";
import { resolveApicbaseSettings } from "../lib/apicbase/config";
import { parseKeyring } from "../lib/crypto/secrets";
import { openDatabase } from "../lib/db/client";
import { readEnv } from "../lib/env";
import { describeError } from "../lib/log";
import { drainBoundMs, installGracefulShutdown } from "../lib/lifecycle/shutdown";
import { createTokenApiServer } from "../lib/token-api/node-server";
import { createTokenApiContext } from "../lib/token-api/runtime";

const log = (line: string) => console.log(`[token-api] ${line}`);

function fail(message: string): never {
  console.error(`[token-api] ${message}`);
  process.exit(1);
}

async function main() {
  loadEnvConfig(process.cwd());
  const config = readEnv();
  if (!config.DATABASE_URL) {
    fail(
      "npm run token-api needs PostgreSQL (DATABASE_URL): the embedded database (PGlite) belongs to the web server, which serves /api/v1/ itself.",
    );
  }
  if (!config.TOKEN_ENCRYPTION_KEY) fail("TOKEN_ENCRYPTION_KEY is not set: give this process the web server's key.");
  const database = await openDatabase({ url: config.DATABASE_URL });
  const ctx = createTokenApiContext({
    db: database.db,
    keyring: parseKeyring(config.TOKEN_ENCRYPTION_KEY),
    settings: resolveApicbaseSettings(config),
    ratePerMinute: config.TOKEN_API_RATE_LIMIT,
    apicbaseRatePerMinute: config.APICBASE_API_RATE_LIMIT,
  });
  const server = createTokenApiServer(ctx, { trustProxy: config.TRUST_PROXY === "1" });
  server.listen(config.TOKEN_API_PORT, () => log(`listening on port ${config.TOKEN_API_PORT}`));

  let closed: Promise<void> | undefined;
  installGracefulShutdown({
    // No new connection; requests already received are answered (those needing a refresh with 503 and Retry-After).
    stopRefresher: () => {
      closed = new Promise((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      return undefined;
    },
    finish: async () => {
      // The refreshes are stored: their callers get their answers, then whatever still hangs on is cut.
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1_000))]);
      server.closeAllConnections();
      await ctx.handouts.flush();
      await database.close();
    },
    maxWaitMs: drainBoundMs(config.APICBASE_TIMEOUT_MS),
    log,
  });
}

main().catch((error: unknown) => fail(describeError(error)));
