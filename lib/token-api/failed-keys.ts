/**
 * Failed API key attempts, limited per client address across every process (lib/attempts/counters.ts): after
 * FAILED_API_KEY_RULE.limit answers of 401 in a window, the address gets 429 with Retry-After for the rest of
 * the window, whatever key it sends. A global counter with a higher limit is the backstop for addresses a client
 * can fake (`next start` without a proxy): beyond it, failures answer 429 instead of 401.
 *
 * Wraps the token API's handlers (the Next.js routes and `npm run token-api`) without changing them.
 */
import { attemptsExhausted, countAttempt, FAILED_API_KEY_RULE, type AttemptRule } from "@/lib/attempts/counters";
import type { Db } from "@/lib/db/client";
import { apiError } from "./http";

/** Failed attempts from all addresses together. */
export const ALL_ADDRESSES_RULE: AttemptRule = { name: "api_key_failures_all", limit: 1_000, windowSeconds: 600 };

/** How long one process trusts that an address was below its limit before asking the database again. */
const CLEAN_FOR_MS = 1_000;

export function tooManyFailedKeys(retryAfterSeconds: number): Response {
  return apiError(
    429,
    "rate_limited",
    `Too many requests with a missing, unknown or revoked API key from this address. Try again in ` +
      `${retryAfterSeconds} seconds.`,
    { "Retry-After": String(retryAfterSeconds) },
  );
}

export class FailedKeyGuard {
  private readonly clean = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
    private readonly rules: { perAddress: AttemptRule; all: AttemptRule } = {
      perAddress: FAILED_API_KEY_RULE,
      all: ALL_ADDRESSES_RULE,
    },
  ) {}

  /** Answers 429 for an address over its limit; otherwise runs the handler and counts its 401 against the address. */
  async run(address: string, handler: () => Promise<Response>): Promise<Response> {
    const now = this.now();
    if ((this.clean.get(address) ?? 0) <= now.getTime()) {
      const verdict = await attemptsExhausted(this.db, this.rules.perAddress, address, now);
      if (!verdict.allowed) return tooManyFailedKeys(verdict.retryAfterSeconds);
      this.remember(address, now);
    }
    const response = await handler();
    if (response.status !== 401) return response;
    this.clean.delete(address);
    const [mine, all] = await Promise.all([
      countAttempt(this.db, this.rules.perAddress, address, now),
      countAttempt(this.db, this.rules.all, "*", now),
    ]);
    if (!mine.allowed) return tooManyFailedKeys(mine.retryAfterSeconds);
    if (!all.allowed) return tooManyFailedKeys(all.retryAfterSeconds);
    return response;
  }

  private remember(address: string, now: Date) {
    if (this.clean.size > 10_000) this.clean.clear();
    this.clean.set(address, now.getTime() + CLEAN_FOR_MS);
  }
}

const guards = new WeakMap<Db, FailedKeyGuard>();

/** The process's guard for a database (its short-lived cache must outlive a request). */
export function failedKeyGuard(db: Db): FailedKeyGuard {
  let guard = guards.get(db);
  if (!guard) guards.set(db, (guard = new FailedKeyGuard(db)));
  return guard;
}
