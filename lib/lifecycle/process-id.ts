import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

const shared = globalThis as typeof globalThis & { __portalProcessId?: string };

/**
 * This process in refresh leases: readable when debugging (host and pid), unique per process even when a
 * container reuses a pid. On globalThis because Next.js may evaluate a module several times per process.
 */
export function processId(): string {
  return (shared.__portalProcessId ??= `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`);
}
