/**
 * Requests per minute per API key, as a token bucket holding a quarter minute's worth. In memory, per process: a
 * deployment with N web processes allows each key up to N times the limit (documented in the README).
 */
export class KeyRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly capacity: number;
  private readonly perMs: number;

  constructor(
    perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.capacity = Math.max(1, perMinute / 4);
    this.perMs = perMinute / 60_000;
  }

  /** Takes one request from the key's bucket: null when allowed, else the seconds until one is. */
  take(keyId: string): number | null {
    const now = this.now();
    const bucket = this.buckets.get(keyId) ?? { tokens: this.capacity, at: now };
    const tokens = Math.min(this.capacity, bucket.tokens + (now - bucket.at) * this.perMs);
    if (tokens < 1) {
      this.buckets.set(keyId, { tokens, at: now });
      return Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000));
    }
    this.buckets.set(keyId, { tokens: tokens - 1, at: now });
    if (this.buckets.size > 10_000) this.forgetFull(now);
    return null;
  }

  /** Buckets that have refilled completely carry no information. */
  private forgetFull(now: number) {
    for (const [keyId, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.capacity) this.buckets.delete(keyId);
    }
  }
}
