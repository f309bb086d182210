/**
 * Graceful shutdown of a process's token work (the web server, `npm run worker`, `npm run token-api`). A refresh cut
 * off between Apicbase rotating the tokens and the portal storing them loses the connection (the old refresh token
 * is dead, the new one never stored), so on SIGTERM or SIGINT the process:
 * 1. starts no new call to Apicbase from then on (`beginDrain()`): the background refresher hands back the
 *    connections it claimed but had not started (leases cleared, so another process takes them at once), and a
 *    click or token API call that would need a refresh is told to come back (the token API answers 503 with
 *    Retry-After);
 * 2. waits for the calls already sent to Apicbase, and for their answers to be stored;
 * 3. then finishes (audit entries, the database) and exits.
 * The wait is bounded: one Apicbase call (APICBASE_TIMEOUT_MS) plus the time to store its answer.
 *
 * In the web server Next.js's own signal handler would exit as soon as its HTTP server closed, cutting those
 * refreshes: scripts/start.ts runs `next start` with NEXT_MANUAL_SIG_HANDLE=true, which turns Next's handler off
 * and this one on.
 */
import { beginDrain, inFlightCount, settled } from "./single-flight";

type SignalSource = Pick<NodeJS.Process, "once"> & { exit(code?: number): never | void };

/** Beyond the Apicbase timeout: storing a rotated pair retries for up to about 4 s (a database restart). */
export const STORE_MARGIN_MS = 5_000;
/** What finishing (audit entries, the database) may take once the refreshes are done. */
const FINISH_MS = 3_000;

/** The longest a drain waits for the refreshes under way: a supervisor's grace period covers it, plus finishing. */
export function drainBoundMs(apicbaseTimeoutMs: number): number {
  return apicbaseTimeoutMs + STORE_MARGIN_MS;
}

export type ShutdownOptions = {
  /** Stops taking new work (the background refresher, an HTTP server), if there is any. */
  stopRefresher: () => Promise<void> | undefined;
  /** After the refreshes under way are stored (or the wait gave up): flush, close the database. */
  finish?: () => Promise<void>;
  /** Longest wait for refreshes under way: past the Apicbase timeout they have failed on their own anyway. */
  maxWaitMs: number;
  log: (line: string) => void;
  process?: SignalSource;
};

/** Installs the handlers; returns the drain itself (for tests). */
export function installGracefulShutdown(options: ShutdownOptions): (signal: string) => Promise<void> {
  const target = options.process ?? process;
  let draining: Promise<void> | undefined;
  const drain = (signal: string) =>
    (draining ??= (async () => {
      const started = Date.now();
      beginDrain();
      const running = inFlightCount();
      // inFlightCount() counts every call to Apicbase under way: refreshes, code exchanges, verifications, revocations.
      const underWay =
        running === 0 ? "no call to Apicbase under way" : `finishing ${running} call(s) to Apicbase under way`;
      // The moment, to line up with Apicbase's side (bench:chaos checks that no call arrived after it).
      const at = new Date(started).toISOString();
      options.log(`${signal}: stopping; ${underWay}, starting no new call to Apicbase (at ${at})`);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), options.maxWaitMs);
      });
      const outcome = await Promise.race([
        (async () => {
          await options.stopRefresher();
          // Work that joined while this waited (a request already past its checks) ends at once: it starts nothing.
          while (inFlightCount() > 0) await settled();
          return "done" as const;
        })(),
        deadline,
      ]);
      clearTimeout(timer);
      if (options.finish) await withTimeout(options.finish(), FINISH_MS).catch(() => undefined);
      const took = Date.now() - started;
      options.log(
        outcome === "done"
          ? `stopped in ${took} ms`
          : `stopped after ${options.maxWaitMs} ms with ${inFlightCount()} call(s) to Apicbase still running`,
      );
      target.exit(0);
    })());
  for (const signal of ["SIGTERM", "SIGINT"] as const) target.once(signal, () => void drain(signal));
  return drain;
}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
