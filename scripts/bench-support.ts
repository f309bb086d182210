/** What the benchmarks share: an emulator in a process of its own (so its work does not count as the portal's). */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { EmulatorControl } from "../emulator/testing";

/**
 * The bundled emulator without its rate limit, on `port` (0: any free one). Node runs tsx as a loader (no tsx wrapper
 * process), so stop()'s SIGTERM reaches the emulator itself.
 */
export async function spawnEmulator(
  port = 0,
): Promise<{ url: string; control: EmulatorControl; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", "emulator/main.ts"], {
    cwd: process.cwd(),
    env: { ...process.env, EMULATOR_PORT: String(port), EMULATOR_HOST: "127.0.0.1", EMULATOR_RATE_LIMIT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the emulator did not start within 30 s")), 30_000);
    child.once("exit", (code) => reject(new Error(`the emulator exited (${code})`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return { url, control: new EmulatorControl(url), stop };
}

/** The process's peak resident memory, sampled every 50 ms until stopped. */
export function peakMemory(): () => number {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  sampler.unref();
  return () => {
    clearInterval(sampler);
    return Math.max(peak, process.memoryUsage().rss);
  };
}
