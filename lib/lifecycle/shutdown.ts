/**
 * Graceful shutdown of the web server's token work. A refresh cut off between Apicbase rotating the tokens and the
 * portal storing them loses the connection (the old refresh token is dead, the new one never stored), so on SIGTERM
 * or SIGINT the server stops starting background refreshes, lets every refresh under way (background, "Refresh"
 * clicks, token API hand-outs) store its tokens, and only then exits.
 *
 * Next.js's own signal handler exits as soon as its HTTP server closed, which would cut those refreshes: scripts/start.ts
 * runs `next start` with NEXT_MANUAL_SIG_HANDLE=true, which turns Next's handler off and this one on.
 */
import { settled, inFlightCount } from "./single-flight";

type SignalSource = Pick<NodeJS.Process, "once"> & { exit(code?: number): never | void };

export type ShutdownOptions = {
  /** What to stop first (the background refresher), if it runs. */
  stopRefresher: () => Promise<void> | undefined;
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
      const running = inFlightCount();
      options.log(`${signal}: stopping; ${running === 0 ? "no refresh under way" : `finishing ${running} refresh(es) under way`}`);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), options.maxWaitMs);
      });
      const outcome = await Promise.race([
        (async () => {
          await options.stopRefresher();
          await settled();
          return "done" as const;
        })(),
        deadline,
      ]);
      clearTimeout(timer);
      options.log(outcome === "done" ? "stopped" : `stopped after ${options.maxWaitMs} ms with ${inFlightCount()} refresh(es) still running`);
      target.exit(0);
    })());
  for (const signal of ["SIGTERM", "SIGINT"] as const) target.once(signal, () => void drain(signal));
  return drain;
}
