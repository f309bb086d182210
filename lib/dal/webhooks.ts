import "server-only";
import { and, eq } from "drizzle-orm";
import { allowPrivateReceivers } from "@/lib/notifications/runtime";
import { getKeyring } from "@/lib/connections/keyring";
import { getDb, memberships, type Db } from "@/lib/db";
import type { NotificationEventType } from "@/lib/db/schema";
import { env } from "@/lib/env";
import {
  createEndpoint,
  deleteEndpoint,
  deliveryLog,
  listEndpoints,
  resendDelivery,
  rotateSecret,
  sendTestEvent,
  setEndpointEnabled,
  updateEndpoint,
  type DeliveryView,
  type WebhookEndpointView,
} from "@/lib/notifications/endpoints";
import { canActFor } from "./connections";
import { actorOf } from "./actor";
import type { PortalUser } from "./session";

export type { DeliveryView, WebhookEndpointView };

/** Receivers on private networks and plain http are allowed in the sandbox (or with WEBHOOK_ALLOW_PRIVATE_URLS=1). */
export function webhookUrlPolicy() {
  const config = env();
  return { allowPrivate: allowPrivateReceivers(config) };
}

/** The organization's endpoints with their latest deliveries, for its members and admins; null for anyone else. */
export async function webhooksOf(
  user: PortalUser,
  organizationId: string,
  now: Date,
): Promise<{ endpoint: WebhookEndpointView; deliveries: DeliveryView[] }[] | null> {
  if (!canActFor(user, organizationId)) return null;
  const { db } = await getDb();
  const endpoints = await listEndpoints(db, organizationId, now);
  return Promise.all(
    endpoints.map(async (endpoint) => ({
      endpoint,
      deliveries: await deliveryLog(db, { organizationId, endpointId: endpoint.id }),
    })),
  );
}

export async function createWebhook(
  user: PortalUser,
  organizationId: string,
  url: string,
  eventTypes: NotificationEventType[],
) {
  if (!canActFor(user, organizationId)) return null;
  const { db } = await getDb();
  return createEndpoint(db, getKeyring(), { organizationId, url, eventTypes, actor: actorOf(user) });
}

/**
 * A change by a member (or an admin) to one of the organization's webhooks: "not_allowed" for anyone else, else
 * "done", or "not_found" when `change` found nothing to change (answered false or null).
 */
async function changeWebhook(
  user: PortalUser,
  organizationId: string,
  change: (db: Db) => Promise<unknown>,
): Promise<"done" | "not_found" | "not_allowed"> {
  if (!canActFor(user, organizationId)) return "not_allowed";
  const { db } = await getDb();
  return (await change(db)) ? "done" : "not_found";
}

export async function updateWebhook(
  user: PortalUser,
  organizationId: string,
  endpointId: string,
  url: string,
  eventTypes: NotificationEventType[],
) {
  return changeWebhook(user, organizationId, (db) =>
    updateEndpoint(db, { organizationId, endpointId, url, eventTypes, actor: actorOf(user), now: new Date() }),
  );
}

export async function rotateWebhookSecret(user: PortalUser, organizationId: string, endpointId: string) {
  if (!canActFor(user, organizationId)) return "not_allowed" as const;
  const { db } = await getDb();
  return (
    (await rotateSecret(db, getKeyring(), { organizationId, endpointId, actor: actorOf(user), now: new Date() })) ??
    ("not_found" as const)
  );
}

export async function setWebhookEnabled(
  user: PortalUser,
  organizationId: string,
  endpointId: string,
  enabled: boolean,
) {
  return changeWebhook(user, organizationId, (db) =>
    setEndpointEnabled(db, { organizationId, endpointId, enabled, actor: actorOf(user), now: new Date() }),
  );
}

export async function deleteWebhook(user: PortalUser, organizationId: string, endpointId: string) {
  return changeWebhook(user, organizationId, (db) =>
    deleteEndpoint(db, { organizationId, endpointId, actor: actorOf(user) }),
  );
}

export async function sendWebhookTest(user: PortalUser, organizationId: string, endpointId: string) {
  return changeWebhook(user, organizationId, (db) =>
    sendTestEvent(db, { organizationId, endpointId, now: new Date() }),
  );
}

export async function resendWebhookDelivery(user: PortalUser, organizationId: string, deliveryId: string) {
  return changeWebhook(user, organizationId, (db) =>
    resendDelivery(db, { organizationId, deliveryId, now: new Date() }),
  );
}

/** This member's e-mail settings in the organization; null when they are not a member (an admin looking in). */
export async function emailSettingsOf(
  user: PortalUser,
  organizationId: string,
): Promise<{ alerts: boolean; digest: boolean } | null> {
  const { db } = await getDb();
  const [row] = await db
    .select({ alerts: memberships.emailAlerts, digest: memberships.emailDigest })
    .from(memberships)
    .where(and(eq(memberships.userId, user.id), eq(memberships.organizationId, organizationId)));
  return row ?? null;
}

/** Only the member's own row: nobody turns e-mail on for someone else. */
export async function saveEmailSettings(
  user: PortalUser,
  organizationId: string,
  settings: { alerts: boolean; digest: boolean },
): Promise<boolean> {
  const { db } = await getDb();
  const rows = await db
    .update(memberships)
    .set({ emailAlerts: settings.alerts, emailDigest: settings.digest })
    .where(and(eq(memberships.userId, user.id), eq(memberships.organizationId, organizationId)))
    .returning({ userId: memberships.userId });
  return rows.length > 0;
}

export function emailEnabled(): boolean {
  return Boolean(env().SMTP_URL);
}
