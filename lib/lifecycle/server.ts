/**
 * The refresher inside the Next.js server (started by instrumentation.ts): the single-machine default. Off with
 * REFRESHER=off, e.g. where `npm run worker` processes refresh instead, or in end-to-end journeys.
 */
import { resolveApicbaseSettings } from "@/lib/apicbase/config";
import { parseKeyring, type Keyring } from "@/lib/crypto/secrets";
import { getSharedDatabase, type Db } from "@/lib/db/client";
import { env, type Env } from "@/lib/env";
import type { Refresher } from "./refresher";
import { describeError } from "@/lib/log";
import { refresherFromEnvironment } from "./runtime";
import { drainBoundMs, installGracefulShutdown } from "./shutdown";
import type { Deliverer } from "@/lib/notifications/deliverer";
import { delivererFromEnvironment } from "@/lib/notifications/runtime";
import type { BulkRunner } from "@/lib/bulk-jobs/runner";
import { bulkRunnerFromEnvironment } from "@/lib/bulk-jobs/runtime";

/** A background loop this process runs: started once, stopped on shutdown. */
type Loop = { start(opts: { unref?: boolean }): void; stop(): Promise<void> };

const shared = globalThis as typeof globalThis & {
  __portalRefresher?: Refresher | "starting";
  __portalDeliverer?: Deliverer | "starting";
  __portalBulkRunner?: BulkRunner | "starting";
  /** The token API's per-process state (lib/token-api/context.ts): its audit buffer is written before exiting. */
  __portalTokenApi?: { context: { handouts: { flush(): Promise<void> } } };
};
type LoopSlot = "__portalRefresher" | "__portalDeliverer" | "__portalBulkRunner";
const slots = shared as unknown as Partial<Record<LoopSlot, Loop | "starting">>;
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
        typeof shared.__portalDeliverer === "object" ? shared.__portalDeliverer.stop() : undefined,
        // Bulk items under way finish; claimed ones not started go back for the next process.
        typeof shared.__portalBulkRunner === "object" ? shared.__portalBulkRunner.stop() : undefined,
      ]).then(() => undefined),
    // A refresh under way ends within the Apicbase timeout plus the token write's retries.
    maxWaitMs: drainBoundMs(env().APICBASE_TIMEOUT_MS),
    finish: async () => {
      await shared.__portalTokenApi?.context.handouts.flush();
    },
    log: (line) => console.log(`[shutdown] ${line}`),
  });
}

/**
 * Starts one background loop in this process, once (never while `next build` runs): unless `off` gives the reason it
 * is off, or there is no TOKEN_ENCRYPTION_KEY (both said in `log`). The database opens after `delayMs`, and again
 * every 30 s until it does; then `create` makes the loop, it starts (not keeping the process alive) and `running`
 * says so.
 */
function startLoopInServer(
  slot: LoopSlot,
  {
    off,
    log,
    delayMs,
    create,
    running,
  }: {
    off: (config: Env) => string | null;
    log: (line: string) => void;
    delayMs: number;
    create: (base: { db: Db; keyring: Keyring; config: Env }) => Loop;
    running: (config: Env) => string;
  },
): void {
  if (process.env.NEXT_PHASE === "phase-production-build" || slots[slot]) return;
  const config = env();
  const reason = off(config);
  if (reason) {
    log(reason);
    return;
  }
  if (!config.TOKEN_ENCRYPTION_KEY) {
    log("not started: TOKEN_ENCRYPTION_KEY is not set");
    return;
  }
  slots[slot] = "starting";
  const open = async () => {
    try {
      const { db } = await getSharedDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
      const loop = create({ db, keyring: parseKeyring(config.TOKEN_ENCRYPTION_KEY!), config });
      slots[slot] = loop;
      loop.start({ unref: true });
      log(running(config));
    } catch (error) {
      log(`could not start (${describeError(error)}); trying again in ${RETRY_OPEN_MS / 1000} s`);
      setTimeout(open, RETRY_OPEN_MS).unref();
    }
  };
  setTimeout(open, delayMs).unref();
}

export function startRefresherInServer(): void {
  startLoopInServer("__portalRefresher", {
    off: (config) =>
      config.REFRESHER === "off"
        ? "off (REFRESHER=off): tokens are refreshed when used, by a worker, or by hand"
        : null,
    log,
    delayMs: START_DELAY_MS,
    create: ({ db, keyring, config }) =>
      refresherFromEnvironment({
        db,
        keyring,
        settings: resolveApicbaseSettings(config),
        env: config,
        role: "refresher",
        log,
      }),
    running: (config) =>
      `running: up to ${config.REFRESH_BUDGET_PER_MINUTE} background refreshes a minute across all processes`,
  });
}

const notificationLog = (line: string) => console.log(`[notifications] ${line}`);

/**
 * The delivery loop of webhooks (and e-mail) inside the web server. Independent of REFRESHER: events written by
 * "Refresh" clicks, the token API and connects are delivered also where the background refresher is off (end-to-end
 * journeys, deployments with workers). NOTIFICATIONS=off leaves delivery to `npm run worker`.
 */
export function startNotificationsInServer(): void {
  startLoopInServer("__portalDeliverer", {
    off: (config) =>
      config.NOTIFICATIONS === "off" ? "off (NOTIFICATIONS=off): webhooks and e-mail are delivered by workers" : null,
    log: notificationLog,
    delayMs: 1_000,
    create: ({ db, keyring, config }) =>
      delivererFromEnvironment({ db, keyring, env: config, role: "web", log: notificationLog }),
    running: () => "delivering webhooks",
  });
}

const bulkLog = (line: string) => console.log(`[bulk] ${line}`);

/**
 * The runner of bulk actions (verify, refresh, re-authorization links, revoke over many connections) inside the web
 * server. Independent of REFRESHER, like the delivery loop: a job started from the dashboard runs also where the
 * background refresher is off. BULK_JOBS=off leaves the jobs to `npm run worker`.
 */
export function startBulkJobsInServer(): void {
  startLoopInServer("__portalBulkRunner", {
    off: (config) => (config.BULK_JOBS === "off" ? "off (BULK_JOBS=off): bulk actions run in workers" : null),
    log: bulkLog,
    delayMs: 1_000,
    create: ({ db, keyring, config }) =>
      bulkRunnerFromEnvironment({
        db,
        keyring,
        settings: resolveApicbaseSettings(config),
        env: config,
        role: "web",
        log: bulkLog,
      }),
    running: () => "running bulk actions",
  });
}
