/**
 * An organization's webhook endpoints: create (the secret comes back once), rotate the secret (the old one keeps
 * signing for 24 h), disable, enable, delete, send a test event, read the delivery log, resend a delivery. Every
 * statement is scoped to the organization, so an id of another organization's endpoint changes nothing. Who may ask is
 * decided by the data-access layer (lib/dal/webhooks.ts).
 */
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { recordAudit, type AuditActor, type AuditEntry } from "@/lib/audit";
import type { Keyring } from "@/lib/crypto/secrets";
import type { Db, DbExecutor } from "@/lib/db/client";
import { pick } from "@/lib/db/columns";
import {
  notificationEvents,
  organizations,
  TEST_EVENT_TYPE,
  webhookDeliveries,
  webhookEndpoints,
  type NotificationEventType,
  type WebhookDeliveryStatus,
  type WebhookDisabledReason,
} from "@/lib/db/schema";
import { newEventPayload } from "./events";
import { generateSigningSecret, openSigningSecret, ROTATION_OVERLAP_MS, sealSigningSecret } from "./signing";

export type WebhookEndpointView = {
  id: string;
  url: string;
  eventTypes: NotificationEventType[];
  disabledAt: Date | null;
  disabledReason: WebhookDisabledReason | null;
  failingSince: Date | null;
  /** Until when the replaced secret still signs, during a rotation. */
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
};

export type DeliveryView = {
  id: string;
  eventId: string;
  eventType: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
};

const scoped = (organizationId: string, endpointId: string) =>
  and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.organizationId, organizationId));

export async function listEndpoints(db: Db, organizationId: string, now: Date): Promise<WebhookEndpointView[]> {
  const rows = await db
    .select({
      id: webhookEndpoints.id,
      url: webhookEndpoints.url,
      eventTypes: webhookEndpoints.eventTypes,
      disabledAt: webhookEndpoints.disabledAt,
      disabledReason: webhookEndpoints.disabledReason,
      failingSince: webhookEndpoints.failingSince,
      previousSecretExpiresAt: webhookEndpoints.previousSecretExpiresAt,
      createdAt: webhookEndpoints.createdAt,
    })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.organizationId, organizationId))
    .orderBy(webhookEndpoints.createdAt);
  return rows.map((row) => ({
    ...row,
    eventTypes: row.eventTypes as NotificationEventType[],
    previousSecretExpiresAt:
      row.previousSecretExpiresAt && row.previousSecretExpiresAt > now ? row.previousSecretExpiresAt : null,
  }));
}

export async function createEndpoint(
  db: Db,
  keyring: Keyring,
  args: { organizationId: string; url: string; eventTypes: NotificationEventType[]; actor: AuditActor },
): Promise<{ id: string; secret: string }> {
  const id = crypto.randomUUID();
  const secret = generateSigningSecret();
  await db.transaction(async (tx) => {
    await tx.insert(webhookEndpoints).values({
      id,
      organizationId: args.organizationId,
      url: args.url,
      eventTypes: args.eventTypes,
      secretCiphertext: sealSigningSecret(keyring, id, secret),
      createdByUserId: "id" in args.actor ? args.actor.id : null,
    });
    await auditWebhookChange(tx, args, "webhook_endpoint_created", {
      endpointId: id,
      url: args.url,
      events: args.eventTypes,
    });
  });
  return { id, secret };
}

export async function updateEndpoint(
  db: Db,
  args: {
    organizationId: string;
    endpointId: string;
    url: string;
    eventTypes: NotificationEventType[];
    actor: AuditActor;
    now: Date;
  },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(webhookEndpoints)
      .set({ url: args.url, eventTypes: args.eventTypes, updatedAt: args.now })
      .where(scoped(args.organizationId, args.endpointId))
      .returning({ id: webhookEndpoints.id });
    if (rows.length === 0) return false;
    await auditWebhookChange(tx, args, "webhook_endpoint_updated", {
      endpointId: args.endpointId,
      url: args.url,
      events: args.eventTypes,
    });
    return true;
  });
}

/** A new secret signs from now on; the replaced one signs alongside it for 24 h. Null: no such endpoint here. */
export async function rotateSecret(
  db: Db,
  keyring: Keyring,
  args: { organizationId: string; endpointId: string; actor: AuditActor; now: Date },
): Promise<{ secret: string; previousExpiresAt: Date } | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ id: webhookEndpoints.id, secretCiphertext: webhookEndpoints.secretCiphertext })
      .from(webhookEndpoints)
      .where(scoped(args.organizationId, args.endpointId))
      .for("update");
    if (!row) return null;
    const current = openSigningSecret(keyring, row.id, row.secretCiphertext);
    const secret = generateSigningSecret();
    const previousExpiresAt = new Date(args.now.getTime() + ROTATION_OVERLAP_MS);
    await tx
      .update(webhookEndpoints)
      .set({
        secretCiphertext: sealSigningSecret(keyring, row.id, secret),
        previousSecretCiphertext: sealSigningSecret(keyring, row.id, current, "previous_secret"),
        previousSecretExpiresAt: previousExpiresAt,
        updatedAt: args.now,
      })
      .where(scoped(args.organizationId, args.endpointId));
    await auditWebhookChange(tx, args, "webhook_secret_rotated", {
      endpointId: row.id,
      previousSignsUntil: previousExpiresAt.toISOString(),
    });
    return { secret, previousExpiresAt };
  });
}

export async function setEndpointEnabled(
  db: Db,
  args: { organizationId: string; endpointId: string; enabled: boolean; actor: AuditActor; now: Date },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(webhookEndpoints)
      .set(
        args.enabled
          ? { disabledAt: null, disabledReason: null, failingSince: null, updatedAt: args.now }
          : { disabledAt: args.now, disabledReason: "member" as const, updatedAt: args.now },
      )
      .where(
        and(
          scoped(args.organizationId, args.endpointId),
          args.enabled ? sql`${webhookEndpoints.disabledAt} is not null` : isNull(webhookEndpoints.disabledAt),
        ),
      )
      .returning({ id: webhookEndpoints.id });
    if (rows.length === 0) return false;
    if (args.enabled) {
      // Deliveries waiting while it was off go out now.
      await tx
        .update(webhookDeliveries)
        .set({ nextAttemptAt: args.now })
        .where(and(eq(webhookDeliveries.endpointId, args.endpointId), eq(webhookDeliveries.status, "pending")));
    }
    await auditWebhookChange(tx, args, args.enabled ? "webhook_endpoint_enabled" : "webhook_endpoint_disabled", {
      endpointId: args.endpointId,
    });
    return true;
  });
}

export async function deleteEndpoint(
  db: Db,
  args: { organizationId: string; endpointId: string; actor: AuditActor },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .delete(webhookEndpoints)
      .where(scoped(args.organizationId, args.endpointId))
      .returning({ url: webhookEndpoints.url });
    if (rows.length === 0) return false;
    await auditWebhookChange(tx, args, "webhook_endpoint_deleted", { endpointId: args.endpointId, url: rows[0]!.url });
    return true;
  });
}

/** A `webhook.test` event for this one endpoint, due at once. Null: no such endpoint here. */
export async function sendTestEvent(
  db: Db,
  args: { organizationId: string; endpointId: string; now: Date },
): Promise<string | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ id: webhookEndpoints.id, organizationName: organizations.name })
      .from(webhookEndpoints)
      .innerJoin(organizations, eq(organizations.id, webhookEndpoints.organizationId))
      .where(scoped(args.organizationId, args.endpointId));
    if (!row) return null;
    const payload = newEventPayload(TEST_EVENT_TYPE, args.now, {
      organization: { id: args.organizationId, name: row.organizationName },
      connection: null,
      reason: "A test event sent from the webhooks page.",
      apicbase_error: null,
    });
    const id = payload.id;
    // Never e-mailed: marked as done already.
    await tx.insert(notificationEvents).values({
      id,
      organizationId: args.organizationId,
      type: TEST_EVENT_TYPE,
      payload,
      occurredAt: args.now,
      emailedAt: args.now,
    });
    await tx.insert(webhookDeliveries).values({ endpointId: row.id, eventId: id, nextAttemptAt: args.now });
    return id;
  });
}

/** Sends a delivery again with the same `webhook-id` (receivers deduplicate on it). */
export async function resendDelivery(
  db: Db,
  args: { organizationId: string; deliveryId: string; now: Date },
): Promise<boolean> {
  const ofOrganization = db
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.organizationId, args.organizationId));
  const rows = await db
    .update(webhookDeliveries)
    .set({ status: "pending", nextAttemptAt: args.now, leaseOwner: null, leaseExpiresAt: null })
    .where(and(eq(webhookDeliveries.id, args.deliveryId), inArray(webhookDeliveries.endpointId, ofOrganization)))
    .returning({ id: webhookDeliveries.id });
  return rows.length > 0;
}

/** The newest deliveries of one endpoint of this organization (empty for another organization's). */
export async function deliveryLog(
  db: Db,
  args: { organizationId: string; endpointId: string; limit?: number },
): Promise<DeliveryView[]> {
  return db
    .select({
      ...pick(
        webhookDeliveries,
        "id",
        "eventId",
        "status",
        "attempts",
        "lastAttemptAt",
        "lastStatusCode",
        "lastError",
        "lastDurationMs",
        "nextAttemptAt",
        "deliveredAt",
        "createdAt",
      ),
      eventType: notificationEvents.type,
    })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .innerJoin(notificationEvents, eq(notificationEvents.id, webhookDeliveries.eventId))
    .where(
      and(eq(webhookDeliveries.endpointId, args.endpointId), eq(webhookEndpoints.organizationId, args.organizationId)),
    )
    .orderBy(desc(webhookDeliveries.createdAt))
    .limit(args.limit ?? 20);
}

/** Audits a change a member (or an admin) made to the organization's webhooks. */
async function auditWebhookChange(
  tx: DbExecutor,
  args: { actor: AuditActor; organizationId: string },
  event: AuditEntry["event"],
  detail: AuditEntry["detail"],
): Promise<void> {
  await recordAudit(tx, { actor: args.actor, event, outcome: "success", organizationId: args.organizationId, detail });
}
