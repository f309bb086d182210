/**
 * In-process coalescing: callers asking for the same work while it runs share its promise instead of starting it
 * again. On globalThis because Next.js may load this module more than once in a process (route bundles,
 * instrumentation), and the whole process must share one map.
 */
const shared = globalThis as typeof globalThis & { __portalRefreshesInFlight?: Map<string, Promise<unknown>> };
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
