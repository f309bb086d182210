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

/**
 * A background loop (the bulk runner, the webhook deliverer): `round` again and again until stop(). A round answers
 * how long to pause before the next (null: go again at once), and `onWork` lets new work end the pause early.
 */
export class PollingLoop {
  private stopping = false;
  private loop: Promise<void> | undefined;
  private readonly timer = new WakeTimer();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly onWork: (wake: () => void) => () => void,
    private readonly round: () => Promise<number | null>,
  ) {}

  /** True from stop() on: a round under way can hand back what it has not started. */
  get isStopping(): boolean {
    return this.stopping;
  }

  start(opts: { unref?: boolean } = {}): void {
    if (this.loop) return;
    this.stopping = false;
    this.unsubscribe = this.onWork(() => this.timer.wake());
    this.loop = (async () => {
      while (!this.stopping) {
        const waitMs = await this.round();
        if (waitMs !== null && !this.stopping) await this.timer.sleep(waitMs, opts.unref);
      }
    })();
  }

  /** Ends the pause at once; a round under way finishes first. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.timer.wake();
    await this.loop;
    this.loop = undefined;
  }
}
