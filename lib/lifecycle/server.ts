/**
 * The refresher inside the Next.js server (started by instrumentation.ts): the single-machine default. Off with
 * REFRESHER=off, e.g. where `npm run worker` processes refresh instead, or in end-to-end journeys.
 */
import { resolveApicbaseSettings } from "@/lib/apicbase/config";
import { parseKeyring } from "@/lib/crypto/secrets";
import { getSharedDatabase } from "@/lib/db/client";
import { env } from "@/lib/env";
import type { Refresher } from "./refresher";
import { describeError } from "@/lib/log";
import { refresherFromEnvironment } from "./runtime";
import { drainBoundMs, installGracefulShutdown } from "./shutdown";
import type { Deliverer } from "@/lib/notifications/deliverer";
import { delivererFromEnvironment } from "@/lib/notifications/runtime";
import type { BulkRunner } from "@/lib/bulk-jobs/runner";
import { bulkRunnerFromEnvironment } from "@/lib/bulk-jobs/runtime";

const shared = globalThis as typeof globalThis & {
  __portalRefresher?: Refresher | "starting";
  /** The token API's per-process state (lib/token-api/context.ts): its audit buffer is written before exiting. */
  __portalTokenApi?: { context: { handouts: { flush(): Promise<void> } } };
};
const log = (line: string) => console.log(`[refresher] ${line}`);
const START_DELAY_MS = 3_000;
const RETRY_OPEN_MS = 30_000;

/**
 * With NEXT_MANUAL_SIG_HANDLE set (scripts/start.ts sets it), on SIGTERM/SIGINT the server starts no new call to
 * Apicbase (background refreshes, Refresh clicks and token API calls that need one are turned away), waits for the
 * calls under way and their stored answers, then exits (lib/lifecycle/shutdown.ts). Without it, Next.js's own
 * handler exits once its HTTP server closed.
 */
export function installShutdownInServer(): void {
  if (process.env.NEXT_PHASE === "phase-production-build" || !process.env.NEXT_MANUAL_SIG_HANDLE) return;
  const shutdownState = globalThis as typeof globalThis & { __portalShutdownInstalled?: boolean };
  if (shutdownState.__portalShutdownInstalled) return;
  shutdownState.__portalShutdownInstalled = true;
  installGracefulShutdown({
    stopRefresher: () =>
      Promise.all([
        typeof shared.__portalRefresher === "object" ? shared.__portalRefresher.stop() : undefined,
        // A delivery cut off is sent again by whoever takes its lease next (at least once): it only gets a chance to
        // end.
        typeof notifications.__portalDeliverer === "object" ? notifications.__portalDeliverer.stop() : undefined,
        // Bulk items under way finish; claimed ones not started go back for the next process.
        typeof bulk.__portalBulkRunner === "object" ? bulk.__portalBulkRunner.stop() : undefined,
      ]).then(() => undefined),
    // A refresh under way ends within the Apicbase timeout plus the token write's retries.
    maxWaitMs: drainBoundMs(env().APICBASE_TIMEOUT_MS),
    finish: async () => {
      await shared.__portalTokenApi?.context.handouts.flush();
    },
    log: (line) => console.log(`[shutdown] ${line}`),
  });
}

export function startRefresherInServer(): void {
  if (process.env.NEXT_PHASE === "phase-production-build" || shared.__portalRefresher) return;
  const config = env();
  if (config.REFRESHER === "off") {
    log("off (REFRESHER=off): tokens are refreshed when used, by a worker, or by hand");
    return;
  }
  if (!config.TOKEN_ENCRYPTION_KEY) {
    log("not started: TOKEN_ENCRYPTION_KEY is not set");
    return;
  }
  shared.__portalRefresher = "starting";
  const open = async () => {
    try {
      const { db } = await getSharedDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
      const refresher = refresherFromEnvironment({
        db,
        keyring: parseKeyring(config.TOKEN_ENCRYPTION_KEY!),
        settings: resolveApicbaseSettings(config),
        env: config,
        role: "refresher",
        log,
      });
      shared.__portalRefresher = refresher;
      refresher.start({ unref: true });
      log(`running: up to ${config.REFRESH_BUDGET_PER_MINUTE} background refreshes a minute across all processes`);
    } catch (error) {
      log(`could not start (${describeError(error)}); trying again in ${RETRY_OPEN_MS / 1000} s`);
      setTimeout(open, RETRY_OPEN_MS).unref();
    }
  };
  setTimeout(open, START_DELAY_MS).unref();
}

const notifications = globalThis as typeof globalThis & { __portalDeliverer?: Deliverer | "starting" };
const notificationLog = (line: string) => console.log(`[notifications] ${line}`);

/**
 * The delivery loop of webhooks (and e-mail) inside the web server. Independent of REFRESHER: events written by
 * "Refresh" clicks, the token API and connects are delivered also where the background refresher is off (end-to-end
 * journeys, deployments with workers). NOTIFICATIONS=off leaves delivery to `npm run worker`.
 */
export function startNotificationsInServer(): void {
  if (process.env.NEXT_PHASE === "phase-production-build" || notifications.__portalDeliverer) return;
  const config = env();
  if (config.NOTIFICATIONS === "off") {
    notificationLog("off (NOTIFICATIONS=off): webhooks and e-mail are delivered by workers");
    return;
  }
  if (!config.TOKEN_ENCRYPTION_KEY) {
    notificationLog("not started: TOKEN_ENCRYPTION_KEY is not set");
    return;
  }
  notifications.__portalDeliverer = "starting";
  const open = async () => {
    try {
      const { db } = await getSharedDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
      const deliverer = delivererFromEnvironment({
        db,
        keyring: parseKeyring(config.TOKEN_ENCRYPTION_KEY!),
        env: config,
        role: "web",
        log: notificationLog,
      });
      notifications.__portalDeliverer = deliverer;
      deliverer.start({ unref: true });
      notificationLog("delivering webhooks");
    } catch (error) {
      notificationLog(`could not start (${describeError(error)}); trying again in ${RETRY_OPEN_MS / 1000} s`);
      setTimeout(open, RETRY_OPEN_MS).unref();
    }
  };
  setTimeout(open, 1_000).unref();
}

const bulk = globalThis as typeof globalThis & { __portalBulkRunner?: BulkRunner | "starting" };
const bulkLog = (line: string) => console.log(`[bulk] ${line}`);

/**
 * The runner of bulk actions (verify, refresh, re-authorization links, revoke over many connections) inside the web
 * server. Independent of REFRESHER, like the delivery loop: a job started from the dashboard runs also where the
 * background refresher is off. BULK_JOBS=off leaves the jobs to `npm run worker`.
 */
export function startBulkJobsInServer(): void {
  if (process.env.NEXT_PHASE === "phase-production-build" || bulk.__portalBulkRunner) return;
  const config = env();
  if (config.BULK_JOBS === "off") {
    bulkLog("off (BULK_JOBS=off): bulk actions run in workers");
    return;
  }
  if (!config.TOKEN_ENCRYPTION_KEY) {
    bulkLog("not started: TOKEN_ENCRYPTION_KEY is not set");
    return;
  }
  bulk.__portalBulkRunner = "starting";
  const open = async () => {
    try {
      const { db } = await getSharedDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
      const runner = bulkRunnerFromEnvironment({
        db,
        keyring: parseKeyring(config.TOKEN_ENCRYPTION_KEY!),
        settings: resolveApicbaseSettings(config),
        env: config,
        role: "web",
        log: bulkLog,
      });
      bulk.__portalBulkRunner = runner;
      runner.start({ unref: true });
      bulkLog("running bulk actions");
    } catch (error) {
      bulkLog(`could not start (${describeError(error)}); trying again in ${RETRY_OPEN_MS / 1000} s`);
      setTimeout(open, RETRY_OPEN_MS).unref();
    }
  };
  setTimeout(open, 1_000).unref();
}
