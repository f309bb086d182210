/**
 * A new bulk job in this process wakes its runner at once instead of at the next poll. On globalThis because Next.js
 * may load this module more than once in a process (route bundles, instrumentation).
 */
const shared = globalThis as typeof globalThis & { __portalWakeBulkRunner?: Set<() => void> };

export function onNewBulkJob(listener: () => void): () => void {
  const listeners = (shared.__portalWakeBulkRunner ??= new Set());
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function wakeBulkRunner(): void {
  const listeners = shared.__portalWakeBulkRunner;
  if (!listeners || listeners.size === 0) return;
  setTimeout(() => listeners.forEach((listener) => listener()), 10).unref?.();
}
