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
