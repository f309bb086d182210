/**
 * E-mail, off unless SMTP_URL is set: every notification event to the organization's members who opted in (their
 * "E-mail alerts" setting on the webhooks page), and once a day a digest of the connections needing attention to the
 * members who asked for it. Sent with nodemailer from the same delivery loop as webhooks. Never a token: the mails
 * are built from the event's payload and the connections' safe columns.
 */
import { and, asc, eq, inArray, isNotNull, isNull, lte, ne, or } from "drizzle-orm";
import nodemailer, { type Transporter } from "nodemailer";
import type { Db } from "@/lib/db/client";
import {
  connections,
  memberships,
  notificationDigests,
  notificationEvents,
  organizations,
  users,
} from "@/lib/db/schema";
import { EVENT_SUBJECTS } from "@/lib/messages/webhooks";
import { TEST_EVENT_TYPE } from "./event-types";
import type { EventPayload } from "./events";

export const DIGEST_INTERVAL_MS = 24 * 3600_000;
/** Events older than this when e-mail is switched on are not sent any more (nobody wants last month's alerts). */
const STALE_AFTER_MS = 24 * 3600_000;
const EXPIRING_WITHIN_MS = 48 * 3600_000;
const BATCH = 20;

export type Mailer = Pick<Transporter, "sendMail">;

export type EmailContext = {
  db: Db;
  mailer: Mailer;
  from: string;
  /** The portal's public URL, for links in the mails; none when unknown. */
  portalUrl: string | null;
  now(): Date;
};

export function createMailer(smtpUrl: string): Mailer {
  return nodemailer.createTransport(smtpUrl);
}

async function recipients(db: Db, organizationId: string, setting: "alerts" | "digest"): Promise<string[]> {
  const rows = await db
    .select({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.organizationId, organizationId),
        setting === "alerts" ? eq(memberships.emailAlerts, true) : eq(memberships.emailDigest, true),
        isNotNull(users.email),
      ),
    );
  return rows.map((row) => row.email!).filter((email) => email.includes("@"));
}

function link(ctx: EmailContext, path: string): string {
  return ctx.portalUrl ? new URL(path, ctx.portalUrl).href : path;
}

export function alertMessage(ctx: EmailContext, payload: EventPayload): { subject: string; text: string } {
  const { connection, organization, application, reason, apicbase_error: code } = payload.data;
  const what = EVENT_SUBJECTS[payload.type] ?? payload.type;
  const subject = connection
    ? `${connection.library.name}: ${what} (${organization.name})`
    : `${application?.name ?? "An application"}: ${what} (${organization.name})`;
  const lines = [
    connection
      ? `The connection of "${connection.library.name}" (library ${connection.library.id}) in ${organization.name}: ` +
        `${what}.`
      : `${application ? `The application "${application.name}" (${application.client_id})` : "An application"}: ` +
        `${what}.`,
    "",
    ...(reason ? [reason, ""] : []),
    ...(code ? [`Apicbase error code: ${code}`] : []),
    ...(connection ? [`Status: ${connection.status}`, `Scopes: ${connection.scopes.join(" ") || "none"}`] : []),
    ...(connection?.access_token_expires_at ? [`Access token expires: ${connection.access_token_expires_at}`] : []),
    `Event: ${payload.type} (${payload.id}) at ${payload.timestamp}`,
    "",
    connection
      ? `Open it: ${link(ctx, `/connections/${connection.id}`)}`
      : `Open the connections: ${link(ctx, `/connections?organization=${organization.id}`)}`,
    "",
    `You get these because you turned on e-mail alerts for ${organization.name}: ` +
      link(ctx, `/webhooks?organization=${organization.id}`),
  ];
  return { subject: `[Apicbase portal] ${subject}`, text: lines.join("\n") };
}

/**
 * E-mails the events not e-mailed yet, one at a time: each is claimed (marked e-mailed) just before its mails go, so
 * two processes never send it twice, and a failure or a crash leaves at most the event being sent unsent; every
 * other stays pending. An SMTP failure hands the event back for a later round.
 */
export async function sendPendingAlerts(ctx: EmailContext): Promise<number> {
  const now = ctx.now();
  // Too old to be news, and test events: done without a mail.
  await ctx.db
    .update(notificationEvents)
    .set({ emailedAt: now })
    .where(
      and(
        isNull(notificationEvents.emailedAt),
        or(
          lte(notificationEvents.occurredAt, new Date(now.getTime() - STALE_AFTER_MS)),
          eq(notificationEvents.type, TEST_EVENT_TYPE),
        ),
      ),
    );
  let sent = 0;
  for (let round = 0; round < BATCH; round++) {
    const next = ctx.db
      .select({ id: notificationEvents.id })
      .from(notificationEvents)
      .where(isNull(notificationEvents.emailedAt))
      .orderBy(asc(notificationEvents.occurredAt))
      .limit(1)
      .for("update", { skipLocked: true });
    const [event] = await ctx.db
      .update(notificationEvents)
      .set({ emailedAt: now })
      .where(and(inArray(notificationEvents.id, next), isNull(notificationEvents.emailedAt)))
      .returning();
    if (!event) break;
    const to = await recipients(ctx.db, event.organizationId, "alerts");
    if (to.length === 0) continue;
    const { subject, text } = alertMessage(ctx, event.payload as EventPayload);
    try {
      // One mail per recipient: members of a partner do not learn each other's addresses.
      for (const address of to) await ctx.mailer.sendMail({ from: ctx.from, to: address, subject, text });
      sent++;
    } catch (error) {
      // The SMTP server failed: the event is e-mailed again in a later round.
      await ctx.db.update(notificationEvents).set({ emailedAt: null }).where(eq(notificationEvents.id, event.id));
      throw error;
    }
  }
  return sent;
}

type AttentionRow = {
  id: string;
  libraryId: number;
  libraryName: string;
  status: string;
  lastRefreshError: string | null;
  accessTokenExpiresAt: Date | null;
  observedLibraryId: number | null;
};

/** Connections needing attention: refresh failing, needing re-authorization, drifted, or expiring within 48 h. */
export async function connectionsNeedingAttention(db: Db, organizationId: string, now: Date): Promise<AttentionRow[]> {
  return db
    .select({
      id: connections.id,
      libraryId: connections.libraryId,
      libraryName: connections.libraryName,
      status: connections.status,
      lastRefreshError: connections.lastRefreshError,
      accessTokenExpiresAt: connections.accessTokenExpiresAt,
      observedLibraryId: connections.observedLibraryId,
    })
    .from(connections)
    .where(
      and(
        eq(connections.organizationId, organizationId),
        or(
          inArray(connections.status, ["refresh_failing", "needs_reauthorization"]),
          and(ne(connections.status, "revoked"), isNotNull(connections.observedLibraryId)),
          and(
            eq(connections.status, "active"),
            lte(connections.accessTokenExpiresAt, new Date(now.getTime() + EXPIRING_WITHIN_MS)),
          ),
        ),
      ),
    )
    .orderBy(asc(connections.libraryName));
}

function attentionLine(row: AttentionRow, now: Date): string {
  const why =
    row.status === "needs_reauthorization"
      ? "needs re-authorization"
      : row.status === "refresh_failing"
        ? `refresh failing${row.lastRefreshError ? ` (${row.lastRefreshError})` : ""}`
        : row.observedLibraryId !== null
          ? `library drift: now reaches library ${row.observedLibraryId}`
          : row.accessTokenExpiresAt && row.accessTokenExpiresAt <= now
            ? "access token expired"
            : `access token expires ${row.accessTokenExpiresAt?.toISOString() ?? "soon"}`;
  return `- ${row.libraryName} (library ${row.libraryId}): ${why}`;
}

/**
 * The daily digest of each organization whose members asked for one, when it is due and something needs attention.
 * The organization's digest is claimed (its last-sent time moved) before sending, so two processes send it once.
 */
export async function sendDueDigests(ctx: EmailContext): Promise<number> {
  const now = ctx.now();
  const dueBefore = new Date(now.getTime() - DIGEST_INTERVAL_MS);
  const candidates = await ctx.db
    .selectDistinct({ id: organizations.id, name: organizations.name })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
    .leftJoin(notificationDigests, eq(notificationDigests.organizationId, organizations.id))
    .where(
      and(
        eq(memberships.emailDigest, true),
        or(isNull(notificationDigests.lastSentAt), lte(notificationDigests.lastSentAt, dueBefore)),
      ),
    );
  let sent = 0;
  for (const organization of candidates) {
    const [claimed] = await ctx.db
      .insert(notificationDigests)
      .values({ organizationId: organization.id, lastSentAt: now })
      .onConflictDoUpdate({
        target: notificationDigests.organizationId,
        set: { lastSentAt: now },
        setWhere: lte(notificationDigests.lastSentAt, dueBefore),
      })
      .returning();
    if (!claimed) continue;
    const rows = await connectionsNeedingAttention(ctx.db, organization.id, now);
    if (rows.length === 0) continue;
    const to = await recipients(ctx.db, organization.id, "digest");
    const text = [
      `${rows.length} connection${rows.length === 1 ? "" : "s"} of ${organization.name} ` +
        `need${rows.length === 1 ? "s" : ""} attention:`,
      "",
      ...rows.map((row) => attentionLine(row, now)),
      "",
      `Open the connections: ${link(ctx, `/connections?organization=${organization.id}`)}`,
      "",
      `You get this daily digest because you asked for it: ${link(ctx, `/webhooks?organization=${organization.id}`)}`,
    ].join("\n");
    const subject =
      `[Apicbase portal] Daily digest: ${rows.length} connection${rows.length === 1 ? "" : "s"} of ` +
      `${organization.name} need${rows.length === 1 ? "s" : ""} attention`;
    for (const address of to) await ctx.mailer.sendMail({ from: ctx.from, to: address, subject, text });
    sent++;
  }
  return sent;
}
