/**
 * `npm run token-api`: the token API (`/api/v1/...`) as a process of its own, without Next.js, for deployments on
 * PostgreSQL whose backends fetch tokens at high rates: route `/api/v1/` of the portal's host to it. Same handlers,
 * keys, rate limit and audit as the portal's own routes. Stops on SIGINT/SIGTERM after writing pending audit entries.
 */
import { loadEnvConfig } from "@next/env";
import { resolveApicbaseSettings } from "../lib/apicbase/config";
import { parseKeyring } from "../lib/crypto/secrets";
import { openDatabase } from "../lib/db/client";
import { readEnv } from "../lib/env";
import { describeError } from "../lib/lifecycle/refresher";
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
    fail("npm run token-api needs PostgreSQL (DATABASE_URL): the embedded database (PGlite) belongs to the web server, which serves /api/v1/ itself.");
  }
  if (!config.TOKEN_ENCRYPTION_KEY) fail("TOKEN_ENCRYPTION_KEY is not set: give this process the web server's key.");
  const database = await openDatabase({ url: config.DATABASE_URL });
  const ctx = createTokenApiContext({
    db: database.db,
    keyring: parseKeyring(config.TOKEN_ENCRYPTION_KEY),
    settings: resolveApicbaseSettings(config),
    ratePerMinute: config.TOKEN_API_RATE_LIMIT,
  });
  const server = createTokenApiServer(ctx, { trustProxy: config.TRUST_PROXY === "1" });
  server.listen(config.TOKEN_API_PORT, () => log(`listening on port ${config.TOKEN_API_PORT}`));

  const stop = (signal: string) => {
    log(`${signal}: stopping`);
    server.close();
    server.closeIdleConnections();
    void ctx.handouts
      .flush()
      .then(() => database.close())
      .finally(() => process.exit(0));
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => fail(describeError(error)));
