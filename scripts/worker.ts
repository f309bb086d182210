/**
 * `npm run worker`: the background token refresher as a process of its own, for deployments on PostgreSQL with
 * several web instances (set REFRESHER=off on them, or not: any number of refreshers cooperate through the
 * database). On SIGINT/SIGTERM it starts no new refresh, hands back the connections it claimed but had not started,
 * and exits once the refreshes already sent to Apicbase have stored their tokens (within APICBASE_TIMEOUT_MS + 5 s).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { loadEnvConfig } from "@next/env";
import { resolveApicbaseSettings } from "../lib/apicbase/config";
import { parseKeyring } from "../lib/crypto/secrets";
import { openDatabase } from "../lib/db/client";
import { readEnv } from "../lib/env";
import { describeError } from "../lib/log";
import { refresherFromEnvironment } from "../lib/lifecycle/runtime";
import { drainBoundMs, installGracefulShutdown } from "../lib/lifecycle/shutdown";
import { delivererFromEnvironment } from "../lib/notifications/runtime";
import { bulkRunnerFromEnvironment } from "../lib/bulk-jobs/runtime";

const log = (line: string) => console.log(`[worker] ${line}`);

function fail(message: string): never {
  console.error(`[worker] ${message}`);
  process.exit(1);
}

/** The key from the environment, else the one `npm start` generated for local runs. */
function encryptionKey(fromEnv: string | undefined, dataDir: string): string {
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, "secrets.json");
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { TOKEN_ENCRYPTION_KEY?: string }) : {};
  if (stored.TOKEN_ENCRYPTION_KEY) return stored.TOKEN_ENCRYPTION_KEY;
  fail("TOKEN_ENCRYPTION_KEY is not set: the worker cannot read the stored tokens. Give it the web server's key.");
}

async function main() {
  loadEnvConfig(process.cwd());
  const config = readEnv();
  if (!config.DATABASE_URL) {
    fail(
      "npm run worker needs PostgreSQL (DATABASE_URL). The embedded database (PGlite) can be opened by one process " +
        "only, and that is the web server, which refreshes tokens itself: with PGlite, `npm start` is all you need.",
    );
  }
  const keyring = parseKeyring(encryptionKey(config.TOKEN_ENCRYPTION_KEY, config.DATA_DIR));
  // A small pool: a refresh holds a connection only for two short transactions (the HTTP call runs outside them).
  const database = await openDatabase({ url: config.DATABASE_URL, poolMax: 3 });
  // What each of this process's loops is given.
  const loop = { db: database.db, keyring, env: config, role: "worker" as const, log };
  const settings = resolveApicbaseSettings(config);
  const refresher = refresherFromEnvironment({ ...loop, settings });
  // Webhooks and e-mail from the outbox: any number of processes share the work through delivery leases.
  const deliverer = delivererFromEnvironment(loop);

  // Bulk actions started on the dashboard: items are shared with the web servers through their leases.
  const bulk = bulkRunnerFromEnvironment({ ...loop, settings });

  installGracefulShutdown({
    // A delivery cut off is sent again by whoever takes its lease next (at least once), so it only gets a chance to end.
    stopRefresher: () => Promise.all([refresher.stop(), deliverer.stop(), bulk.stop()]).then(() => undefined),
    finish: () => database.close(),
    maxWaitMs: drainBoundMs(config.APICBASE_TIMEOUT_MS),
    log,
  });

  refresher.start();
  deliverer.start();
  bulk.start();
  log(
    `refreshing tokens: up to ${config.REFRESH_BUDGET_PER_MINUTE} background refreshes a minute across all processes, ` +
      `${config.REFRESH_CONCURRENCY} at a time in this one`,
  );
}

main().catch((error: unknown) => fail(describeError(error)));
