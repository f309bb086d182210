/**
 * The pause between rounds of a background loop (the refresher, the bulk runner, the webhook deliverer): a sleep
 * that `wake()` ends early, when new work arrives or the loop stops.
 */
export class WakeTimer {
  private ring: (() => void) | undefined;

  /** Waits `ms`, or until `wake()`. With `unref` the timer does not keep the process alive. */
  sleep(ms: number, unref = false): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      if (unref) timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.ring = done;
    });
  }

  wake(): void {
    this.ring?.();
  }
}
