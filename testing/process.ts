import { EventEmitter } from "node:events";
import { vi } from "vitest";

/** Stands in for `process` in shutdown tests: `emit("SIGTERM")` signals it, `exit` records the exit. */
export function fakeProcess() {
  const emitter = new EventEmitter();
  const exit = vi.fn();
  return {
    once: emitter.once.bind(emitter) as NodeJS.Process["once"],
    exit,
    emit: (signal: string) => emitter.emit(signal),
  };
}

/** Waits (polling every 25 ms) until `check` holds; fails naming `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
