/**
 * The notification outbox: an event is written in the very transaction that changed the connection (so none is lost
 * when the process dies right after the change, and none is invented when the change rolls back), together with one
 * pending delivery per enabled webhook endpoint of the organization that asked for its type. The delivery loop
 * (deliverer.ts) sends them; e-mail (email.ts) reads the same events.
 *
 * Not "server-only": the background refresher and `npm run worker` write events too.
 */
import { randomBytes } from "node:crypto";
import { and, eq, ne, sql } from "drizzle-orm";
import type { DbExecutor } from "@/lib/db/client";
import {
  applications,
  connections,
  notificationEvents,
  organizations,
  webhookDeliveries,
  webhookEndpoints,
  type NotificationEventType,
} from "@/lib/db/schema";

/** `evt_` and 24 random bytes, base64url: unique, and what receivers deduplicate on (`webhook-id`). */
export function newEventId(): string {
  return `evt_${randomBytes(24).toString("base64url")}`;
}

/** A new event (under a new id) of `type` that happened at `now`, as its deliveries carry it. */
export function newEventPayload(type: string, now: Date, data: EventPayload["data"]): EventPayload {
  return { id: newEventId(), type, timestamp: now.toISOString(), data };
}

export type ConnectionPayload = {
  id: string;
  library: { id: number; name: string };
  status: string;
  scopes: string[];
  access_token_expires_at: string | null;
};

/** What a receiver gets, in the Standard Webhooks shape `{ type, timestamp, data }`. Never a token. */
export type EventPayload = {
  id: string;
  type: string;
  timestamp: string;
  data: {
    organization: { id: string; name: string };
    connection: ConnectionPayload | null;
    application?: { id: string; name: string; client_id: string } | null;
    /** Why, in a sentence a person reads. */
    reason: string | null;
    /** Apicbase's error code (`invalid_grant`…) or the portal's (`lost_rotation`…); null when there is none. */
    apicbase_error: string | null;
  };
};

export type ConnectionEvent = {
  type: NotificationEventType;
  connectionId: string;
  now: Date;
  reason?: string | null;
  apicbaseError?: string | null;
};

/**
 * Writes one event about a connection, as the connection is now inside `tx` (call it after the update), and its
 * deliveries. Returns the event id.
 */
export async function enqueueConnectionEvent(tx: DbExecutor, event: ConnectionEvent): Promise<string | null> {
  const [row] = await tx
    .select({
      id: connections.id,
      organizationId: connections.organizationId,
      organizationName: organizations.name,
      libraryId: connections.libraryId,
      libraryName: connections.libraryName,
      status: connections.status,
      scopes: connections.scopes,
      accessTokenExpiresAt: connections.accessTokenExpiresAt,
    })
    .from(connections)
    .innerJoin(organizations, eq(organizations.id, connections.organizationId))
    .where(eq(connections.id, event.connectionId));
  if (!row) return null;
  const payload = newEventPayload(event.type, event.now, {
    organization: { id: row.organizationId, name: row.organizationName },
    connection: {
      id: row.id,
      library: { id: row.libraryId, name: row.libraryName },
      status: row.status,
      scopes: row.scopes,
      access_token_expires_at: row.accessTokenExpiresAt ? row.accessTokenExpiresAt.toISOString() : null,
    },
    reason: event.reason ?? null,
    apicbase_error: event.apicbaseError ?? null,
  });
  const id = payload.id;
  await insertEvent(tx, {
    id,
    organizationId: row.organizationId,
    connectionId: row.id,
    type: event.type,
    payload,
    now: event.now,
  });
  return id;
}

/**
 * Apicbase refused an application's credentials: every organization with live connections of that application is
 * told once (its connections are not at fault, their background refreshes pause).
 */
export async function enqueueApplicationEvent(
  tx: DbExecutor,
  event: { applicationId: string; now: Date; reason: string; apicbaseError: string },
): Promise<number> {
  const [application] = await tx
    .select({ id: applications.id, name: applications.name, clientId: applications.clientId })
    .from(applications)
    .where(eq(applications.id, event.applicationId));
  if (!application) return 0;
  const affected = await tx
    .selectDistinct({ id: organizations.id, name: organizations.name })
    .from(connections)
    .innerJoin(organizations, eq(organizations.id, connections.organizationId))
    .where(and(eq(connections.applicationId, event.applicationId), ne(connections.status, "revoked")));
  for (const organization of affected) {
    const payload = newEventPayload("application.credentials_rejected", event.now, {
      organization,
      connection: null,
      application: { id: application.id, name: application.name, client_id: application.clientId },
      reason: event.reason,
      apicbase_error: event.apicbaseError,
    });
    await insertEvent(tx, {
      id: payload.id,
      organizationId: organization.id,
      connectionId: null,
      type: payload.type,
      payload,
      now: event.now,
    });
  }
  return affected.length;
}

async function insertEvent(
  tx: DbExecutor,
  event: {
    id: string;
    organizationId: string;
    connectionId: string | null;
    type: string;
    payload: EventPayload;
    now: Date;
  },
) {
  await tx.insert(notificationEvents).values({
    id: event.id,
    organizationId: event.organizationId,
    connectionId: event.connectionId,
    type: event.type,
    payload: event.payload,
    occurredAt: event.now,
  });
  // One delivery per enabled endpoint of the organization that asked for this type, due at once.
  await tx.execute(sql`
    insert into ${webhookDeliveries} (endpoint_id, event_id, status, next_attempt_at)
    select ${webhookEndpoints.id}, ${event.id}, 'pending', ${event.now.toISOString()}::timestamptz
    from ${webhookEndpoints}
    where ${webhookEndpoints.organizationId} = ${event.organizationId}
      and ${webhookEndpoints.disabledAt} is null
      and ${event.type} = any(${webhookEndpoints.eventTypes})`);
  wakeDeliveries();
}

// The delivery loop of this process sleeps between polls; a new event wakes it (after a moment, so the transaction
// that wrote the event has committed).
const wake = globalThis as typeof globalThis & { __portalWakeDeliveries?: Set<() => void> };
export function onNewEvents(listener: () => void): () => void {
  const listeners = (wake.__portalWakeDeliveries ??= new Set());
  listeners.add(listener);
  return () => listeners.delete(listener);
}
function wakeDeliveries() {
  const listeners = wake.__portalWakeDeliveries;
  if (!listeners || listeners.size === 0) return;
  setTimeout(() => listeners.forEach((listener) => listener()), 50).unref?.();
}
