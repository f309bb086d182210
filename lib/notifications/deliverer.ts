/**
 * The delivery loop: sends the outbox's pending webhook deliveries, at least once, from every process that runs the
 * lifecycle engine (the web server, `npm run worker`). Deliveries are claimed under a short lease with FOR UPDATE
 * SKIP LOCKED, so any number of processes cooperate. A failed attempt is retried with exponential backoff and jitter
 * for about a day; an endpoint that has failed for 3 days is disabled. Every attempt is logged for the webhooks page.
 */
import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { Keyring } from "@/lib/crypto/secrets";
import type { Db } from "@/lib/db/client";
import {
  notificationEvents,
  webhookDeliveries,
  webhookDeliveryAttempts,
  webhookEndpoints,
  type NotificationEvent,
  type WebhookDelivery,
  type WebhookEndpoint,
} from "@/lib/db/schema";
import { describeError } from "@/lib/log";
import { onNewEvents } from "./events";
import { postWebhook, type Resolver, type SendOutcome } from "./send";
import { openSigningSecret, signDelivery } from "./signing";
import { PollingLoop } from "@/lib/wake-timer";

export const DELIVERY_LEASE_MS = 60_000;
/** First retry after 5 s, then three times longer each time, at most 4 h apart. */
export const RETRY_BASE_MS = 5_000;
export const RETRY_CAP_MS = 4 * 3600_000;
/** A delivery still failing this long after its event is given up (about a dozen attempts). */
export const GIVE_UP_AFTER_MS = 24 * 3600_000;
/** An endpoint failing every delivery for this long is disabled. */
export const DISABLE_AFTER_MS = 3 * 24 * 3600_000;
const BATCH = 16;
const CONCURRENCY = 4;

export type DeliveryContext = {
  db: Db;
  keyring: Keyring;
  now(): Date;
  /** Identifies this process in delivery leases. */
  owner: string;
  /** The sandbox (or WEBHOOK_ALLOW_PRIVATE_URLS=1): loopback and private receivers are allowed. */
  allowPrivate: boolean;
  resolve?: Resolver;
  timeoutMs?: number;
  random?: () => number;
  log?: (line: string) => void;
};

/** The wait before attempt `attempt + 1` after `attempt` failed ones: 5 s, 15 s, 45 s, … ±25 %. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const step = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 3 ** Math.max(0, attempt - 1));
  return Math.round(step * (0.75 + random() * 0.5));
}

type Claimed = { delivery: WebhookDelivery; endpoint: WebhookEndpoint; event: NotificationEvent };

export type DeliveryTickReport = {
  claimed: number;
  delivered: number;
  failed: number;
  gaveUp: number;
  disabled: number;
};

/** Claims what is due, sends it, records every attempt. */
export async function deliverDue(ctx: DeliveryContext, limit = BATCH): Promise<DeliveryTickReport> {
  const now = ctx.now();
  const leaseFree = or(isNull(webhookDeliveries.leaseExpiresAt), lt(webhookDeliveries.leaseExpiresAt, now));
  const due = ctx.db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(
      and(
        eq(webhookDeliveries.status, "pending"),
        lte(webhookDeliveries.nextAttemptAt, now),
        leaseFree,
        isNull(webhookEndpoints.disabledAt),
      ),
    )
    .orderBy(asc(webhookDeliveries.nextAttemptAt))
    .limit(limit)
    .for("update", { of: webhookDeliveries, skipLocked: true });
  const leased = await ctx.db
    .update(webhookDeliveries)
    .set({ leaseOwner: ctx.owner, leaseExpiresAt: new Date(now.getTime() + DELIVERY_LEASE_MS) })
    .where(and(inArray(webhookDeliveries.id, due), leaseFree))
    .returning();
  const report: DeliveryTickReport = { claimed: leased.length, delivered: 0, failed: 0, gaveUp: 0, disabled: 0 };
  if (leased.length === 0) return report;
  const endpointIds = [...new Set(leased.map((d) => d.endpointId))];
  const eventIds = [...new Set(leased.map((d) => d.eventId))];
  const [endpoints, events] = await Promise.all([
    ctx.db.select().from(webhookEndpoints).where(inArray(webhookEndpoints.id, endpointIds)),
    ctx.db.select().from(notificationEvents).where(inArray(notificationEvents.id, eventIds)),
  ]);
  const endpointById = new Map(endpoints.map((e) => [e.id, e]));
  const eventById = new Map(events.map((e) => [e.id, e]));
  const queue: Claimed[] = leased.flatMap((delivery) => {
    const endpoint = endpointById.get(delivery.endpointId);
    const event = eventById.get(delivery.eventId);
    return endpoint && event ? [{ delivery, endpoint, event }] : [];
  });
  const work = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      const result = await attemptDelivery(ctx, item);
      if (result === "delivered") report.delivered++;
      else {
        report.failed++;
        if (result === "gave_up" || result === "disabled") report.gaveUp++;
        if (result === "disabled") report.disabled++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, work));
  return report;
}

/** The secrets that sign now: the current one, and the replaced one while its overlap lasts. */
export function signingSecrets(ctx: Pick<DeliveryContext, "keyring">, endpoint: WebhookEndpoint, now: Date): string[] {
  const secrets = [openSigningSecret(ctx.keyring, endpoint.id, endpoint.secretCiphertext)];
  if (endpoint.previousSecretCiphertext && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) {
    secrets.push(openSigningSecret(ctx.keyring, endpoint.id, endpoint.previousSecretCiphertext, "previous_secret"));
  }
  return secrets;
}

async function attemptDelivery(
  ctx: DeliveryContext,
  { delivery, endpoint, event }: Claimed,
): Promise<"delivered" | "retry" | "gave_up" | "disabled"> {
  const started = ctx.now();
  let outcome: SendOutcome;
  try {
    const body = JSON.stringify(event.payload);
    const headers = signDelivery(signingSecrets(ctx, endpoint, started), event.id, started, body);
    outcome = await postWebhook({
      url: endpoint.url,
      body,
      headers,
      allowPrivate: ctx.allowPrivate,
      resolve: ctx.resolve,
      timeoutMs: ctx.timeoutMs,
    });
  } catch {
    // An unreadable secret (a removed encryption key) or a URL that no longer parses: a failure like any other.
    outcome = { ok: false, statusCode: null, error: "portal_error", durationMs: 0, bodyPreview: "" };
  }
  const now = ctx.now();
  const attempt = delivery.attempts + 1;
  const givingUp = !outcome.ok && now.getTime() - event.occurredAt.getTime() >= GIVE_UP_AFTER_MS;
  const nextAttemptAt = outcome.ok || givingUp ? null : new Date(now.getTime() + retryDelayMs(attempt, ctx.random));
  const disable =
    !outcome.ok &&
    endpoint.failingSince !== null &&
    now.getTime() - endpoint.failingSince.getTime() >= DISABLE_AFTER_MS;
  await ctx.db.transaction(async (tx) => {
    await tx.insert(webhookDeliveryAttempts).values({
      deliveryId: delivery.id,
      endpointId: endpoint.id,
      attempt,
      attemptedAt: started,
      durationMs: outcome.durationMs,
      statusCode: outcome.statusCode,
      error: outcome.error,
      nextAttemptAt,
    });
    await tx
      .update(webhookDeliveries)
      .set({
        status: outcome.ok ? "delivered" : givingUp ? "failed" : "pending",
        attempts: attempt,
        nextAttemptAt,
        leaseOwner: null,
        leaseExpiresAt: null,
        lastAttemptAt: started,
        lastStatusCode: outcome.statusCode,
        lastError: outcome.error,
        lastDurationMs: outcome.durationMs,
        ...(outcome.ok ? { deliveredAt: now } : {}),
      })
      .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.leaseOwner, ctx.owner)));
    if (outcome.ok) {
      await tx
        .update(webhookEndpoints)
        .set({ failingSince: null })
        .where(and(eq(webhookEndpoints.id, endpoint.id), sql`${webhookEndpoints.failingSince} is not null`));
    } else if (disable) {
      await tx
        .update(webhookEndpoints)
        .set({ disabledAt: now, disabledReason: "failing", updatedAt: now })
        .where(and(eq(webhookEndpoints.id, endpoint.id), isNull(webhookEndpoints.disabledAt)));
    } else {
      await tx
        .update(webhookEndpoints)
        .set({ failingSince: now })
        .where(and(eq(webhookEndpoints.id, endpoint.id), isNull(webhookEndpoints.failingSince)));
    }
  });
  if (!outcome.ok)
    ctx.log?.(`delivery of ${event.type} to endpoint ${endpoint.id} failed (${outcome.error}), attempt ${attempt}`);
  return outcome.ok ? "delivered" : disable ? "disabled" : givingUp ? "gave_up" : "retry";
}

/** Runs deliverDue() until stop(); polls every second, and at once when this process writes an event. */
export class Deliverer {
  private readonly loop: PollingLoop;
  /** Extra work per round (e-mail), never allowed to stop the loop. */
  private readonly extra: ((now: Date) => Promise<void>)[] = [];

  constructor(
    private readonly ctx: DeliveryContext,
    private readonly pollMs = 1_000,
  ) {
    this.loop = new PollingLoop(onNewEvents, () => this.round());
  }

  also(work: (now: Date) => Promise<void>): this {
    this.extra.push(work);
    return this;
  }

  private async round(): Promise<number | null> {
    let again = false;
    try {
      const report = await deliverDue(this.ctx);
      again = report.claimed === BATCH;
    } catch (error) {
      this.ctx.log?.(`delivery round failed: ${describeError(error)}`);
    }
    for (const work of this.extra) {
      await work(this.ctx.now()).catch((error: unknown) =>
        this.ctx.log?.(`notification round failed: ${describeError(error)}`),
      );
    }
    return again ? null : this.pollMs;
  }

  start(opts: { unref?: boolean } = {}): void {
    this.loop.start(opts);
  }

  /** Stops polling; an attempt under way finishes (at most the 10 s delivery timeout). */
  stop(): Promise<void> {
    return this.loop.stop();
  }
}
