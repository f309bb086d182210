/**
 * The audit trail of access tokens handed out by the token API, written in batches: one insert per 100 ms instead of
 * one per request, so auditing does not halve the endpoint's throughput. An entry waits at most that long; a
 * failed write is retried with the next batch. Also notes when and from where each API key was last used (at most once
 * a minute per key).
 */
import { eq } from "drizzle-orm";
import { recordAudits, type AuditEntry } from "@/lib/audit";
import type { Db } from "@/lib/db/client";
import { apiKeys } from "@/lib/db/schema";

const FLUSH_MS = 100;
const MAX_BATCH = 500;
/** Beyond this (the database has been unreachable for a while), the oldest entries are dropped, and counted. */
const MAX_PENDING = 50_000;
const KEY_TOUCH_MS = 60_000;

/** A timer that does not keep the process alive by itself. */
function later(run: () => void, ms: number): NodeJS.Timeout {
  return setTimeout(run, ms).unref();
}

export class HandoutLog {
  private pending: (AuditEntry & { occurredAt: Date })[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private readonly touched = new Map<string, { at: number }>();
  private failing = false;
  dropped = 0;

  constructor(
    private readonly db: Db,
    private readonly log: (line: string) => void = (line) => console.error(`[token-api] ${line}`),
  ) {}

  record(entry: AuditEntry, occurredAt: Date): void {
    this.pending.push({ ...entry, occurredAt });
    if (this.pending.length > MAX_PENDING) {
      this.dropped += this.pending.length - MAX_PENDING;
      this.pending.splice(0, this.pending.length - MAX_PENDING);
    }
    if (this.pending.length >= MAX_BATCH) void this.flush();
    else this.timer ??= later(() => void this.flush(), FLUSH_MS);
  }

  /** Records that a key was used, at most once a minute per key (a write per request would cost more than the read). */
  touchKey(apiKeyId: string, now: Date, address: string | null = null): void {
    const last = this.touched.get(apiKeyId);
    if (last && now.getTime() - last.at < KEY_TOUCH_MS) return;
    this.touched.set(apiKeyId, { at: now.getTime() });
    this.db
      .update(apiKeys)
      .set({ lastUsedAt: now, ...(address ? { lastUsedAddress: address.slice(0, 100) } : {}) })
      .where(eq(apiKeys.id, apiKeyId))
      .catch(() => this.touched.delete(apiKeyId));
  }

  /** Writes everything pending (tests, shutdown). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0, MAX_BATCH);
    this.flushing = recordAudits(this.db, batch)
      .then(
        () => {
          if (this.failing) this.log("audit entries of handed-out tokens are written again");
          this.failing = false;
        },
        () => {
          this.pending.unshift(...batch);
          if (!this.failing)
            this.log(`could not write ${batch.length} audit entries of handed-out tokens; retrying every second`);
          this.failing = true;
          this.timer ??= later(() => void this.flush(), 1000);
        },
      )
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
    if (this.pending.length > 0) this.timer ??= later(() => void this.flush(), FLUSH_MS);
  }
}
