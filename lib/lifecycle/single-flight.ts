/**
 * In-process coalescing: callers asking for the same work while it runs share its promise instead of starting it
 * again. On globalThis because Next.js may load this module more than once in a process (route bundles,
 * instrumentation), and the whole process must share one map.
 *
 * Also the process's drain switch: once a shutdown began (SIGTERM, SIGINT), no new call to Apicbase starts. Work
 * already under way finishes and stores its result; work that has not called Apicbase yet gives its lease back.
 */
const shared = globalThis as typeof globalThis & {
  __portalRefreshesInFlight?: Map<string, Promise<unknown>>;
  __portalDrainingSince?: number | null;
};
const inFlight = (shared.__portalRefreshesInFlight ??= new Map());

export function coalesce<T>(key: string, run: () => Promise<T>): Promise<T> {
  const running = inFlight.get(key);
  if (running) return running as Promise<T>;
  const started: Promise<T> = Promise.resolve()
    .then(run)
    .finally(() => {
      if (inFlight.get(key) === started) inFlight.delete(key);
    });
  inFlight.set(key, started);
  return started;
}

/** How many distinct pieces of work run right now (for shutdown and tests). */
export function inFlightCount(): number {
  return inFlight.size;
}

/** Resolves once everything running now has settled (graceful shutdown). */
export async function settled(): Promise<void> {
  await Promise.allSettled([...inFlight.values()]);
}

/** How long callers turned away during a shutdown are told to wait: another process (or this one, restarted) serves. */
export const DRAIN_RETRY_AFTER_SECONDS = 5;

/** From now on this process starts no call to Apicbase (idempotent). */
export function beginDrain(): void {
  shared.__portalDrainingSince ??= Date.now();
}

/** Whether this process is shutting down: then nothing may start a call to Apicbase. */
export function isDraining(): boolean {
  return shared.__portalDrainingSince != null;
}

let sequence = 0;

/**
 * Work outside the refreshes that calls Apicbase and stores what it answers (a code exchange, a verification, a
 * revocation): counted like a refresh, so a shutdown waits for it to store its result. Null once the process is
 * shutting down: then it does not start.
 */
export function underWay<T>(name: string, run: () => Promise<T>): Promise<T> | null {
  if (isDraining()) return null;
  return coalesce(`${name}#${++sequence}`, run);
}

/** For tests that drain and then carry on in the same process. */
export function endDrainForTests(): void {
  shared.__portalDrainingSince = null;
}
