import { afterEach, describe, expect, it } from "vitest";
import { fakeProcess } from "@/testing/process";
import { installGracefulShutdown } from "./shutdown";
import { coalesce, endDrainForTests, inFlightCount, isDraining } from "./single-flight";

describe("graceful shutdown of the web server's token work", () => {
  afterEach(() => endDrainForTests());

  it("on SIGTERM stops the refresher, waits for the refreshes under way, then exits 0", async () => {
    const proc = fakeProcess();
    const events: string[] = [];
    let finish!: () => void;
    const refresh = coalesce("shutdown-test|refresh", () =>
      new Promise<void>((resolve) => (finish = resolve)).then(() => void events.push("refresh stored")),
    );
    const drain = installGracefulShutdown({
      stopRefresher: async () => void events.push("refresher stopped"),
      maxWaitMs: 5_000,
      log: (line) => events.push(line),
      process: proc,
    });
    proc.emit("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(proc.exit).not.toHaveBeenCalled();
    expect(events).toContain("refresher stopped");
    expect(isDraining()).toBe(true);
    finish();
    await refresh;
    await drain("SIGTERM");
    const stopped = events.findIndex((line) => /^stopped in \d+ ms$/.test(line));
    expect(stopped).toBeGreaterThan(-1);
    expect(events.indexOf("refresh stored")).toBeLessThan(stopped);
    expect(proc.exit).toHaveBeenCalledTimes(1);
    expect(proc.exit).toHaveBeenCalledWith(0);
    expect(inFlightCount()).toBe(0);
  });

  it("gives up after maxWaitMs on a refresh that hangs, and a second signal does not exit twice", async () => {
    const proc = fakeProcess();
    const lines: string[] = [];
    void coalesce("shutdown-test|hangs", () => new Promise<void>(() => {}));
    const drain = installGracefulShutdown({
      stopRefresher: () => undefined,
      maxWaitMs: 50,
      log: (line) => lines.push(line),
      process: proc,
    });
    proc.emit("SIGINT");
    proc.emit("SIGTERM");
    await drain("SIGTERM");
    expect(lines[0]).toMatch(/SIGINT: stopping; finishing 1 call\(s\) to Apicbase under way/);
    expect(lines.at(-1)).toMatch(/stopped after 50 ms with 1 call\(s\) to Apicbase still running/);
    expect(proc.exit).toHaveBeenCalledTimes(1);
  });
});
