import { z } from "zod";
import type { AuditOutcome } from "@/lib/db/schema";

/**
 * The audit log's filters as they travel in the URL (?connection=&actor=&event=&outcome=&from=&to=&page=), shared
 * by the page and the CSV export so both answer the same question. The URL is user-editable: a value that makes
 * no sense is reported at its field instead of silently widening the result.
 */

export const AUDIT_PAGE_SIZE = 50;
export const ACTOR_FILTER_MAX = 120;

export type AuditFilters = {
  connectionId: string | null;
  /** Part of the actor's label (an e-mail, "system:refresher"...), case-insensitive. */
  actor: string | null;
  event: string | null;
  outcome: AuditOutcome | null;
  /** Inclusive start. */
  from: Date | null;
  /** Exclusive end: the end of the minute (or day) the user typed. */
  before: Date | null;
  page: number;
};

export const AUDIT_FILTER_FIELDS = ["connection", "actor", "event", "outcome", "from", "to"] as const;
export type AuditFilterField = (typeof AUDIT_FILTER_FIELDS)[number];

export type ParsedAuditFilters = {
  filters: AuditFilters;
  /** What the URL said, to fill the form again. */
  values: Record<AuditFilterField, string>;
  errors: Partial<Record<AuditFilterField, string>>;
};

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const EVENT = /^[a-z][a-z0-9_]{0,63}$/;
// What <input type="datetime-local"> and <input type="date"> send, read as UTC.
const MOMENT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** A typed moment as [start, end) in UTC: a day, a minute or a second. */
export function parseMoment(value: string): { start: Date; end: Date } | null {
  const match = MOMENT.exec(value);
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match;
  const parts = [y, mo, d, h ?? "0", mi ?? "0", s ?? "0"].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const start = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5]));
  // Date.UTC rolls 2026-02-31 over to March: refuse instead.
  if (
    start.getUTCDate() !== parts[2] ||
    start.getUTCMonth() !== parts[1] - 1 ||
    start.getUTCHours() !== parts[3] ||
    start.getUTCMinutes() !== parts[4]
  ) {
    return null;
  }
  const step = s !== undefined ? 1_000 : h !== undefined ? 60_000 : 86_400_000;
  return { start, end: new Date(start.getTime() + step) };
}

type Params = URLSearchParams | Record<string, string | string[] | undefined>;

function read(params: Params, name: string): string {
  const value = params instanceof URLSearchParams ? params.get(name) : params[name];
  return (Array.isArray(value) ? value[0] : value) ?? "";
}

const pageNumber = z.coerce.number().int().min(1).max(1_000_000).catch(1);

export function parseAuditFilters(params: Params): ParsedAuditFilters {
  const values = Object.fromEntries(AUDIT_FILTER_FIELDS.map((field) => [field, read(params, field).trim()])) as Record<
    AuditFilterField,
    string
  >;
  const errors: ParsedAuditFilters["errors"] = {};
  const filters: AuditFilters = {
    connectionId: null,
    actor: null,
    event: null,
    outcome: null,
    from: null,
    before: null,
    page: pageNumber.parse(read(params, "page") || 1),
  };

  if (values.connection) {
    // A pasted connection address (…/connections/<id>) works as well as the bare id.
    const id = UUID.exec(values.connection)?.[0];
    if (id && values.connection.replace(/^.*\/connections\//, "").replace(/[?#].*$/, "") === id)
      filters.connectionId = id.toLowerCase();
    else errors.connection = "Enter a connection id, as in the connection's address (e.g. 0b6f…-…).";
  }
  if (values.actor) {
    if (values.actor.length > ACTOR_FILTER_MAX) errors.actor = `Use at most ${ACTOR_FILTER_MAX} characters.`;
    else filters.actor = values.actor;
  }
  if (values.event) {
    if (EVENT.test(values.event)) filters.event = values.event;
    else errors.event = "Choose an event from the list.";
  }
  if (values.outcome) {
    if (values.outcome === "success" || values.outcome === "failure") filters.outcome = values.outcome;
    else errors.outcome = "Choose success or failure.";
  }
  if (values.from) {
    const moment = parseMoment(values.from);
    if (moment) filters.from = moment.start;
    else errors.from = "Enter a date and time like 2026-11-27T14:03 (UTC).";
  }
  if (values.to) {
    const moment = parseMoment(values.to);
    if (moment) filters.before = moment.end;
    else errors.to = "Enter a date and time like 2026-11-27T14:03 (UTC).";
  }
  if (filters.from && filters.before && filters.before <= filters.from) errors.to = "The end is before the start.";
  return { filters, values, errors };
}

/** The query string for these filter values and page (empty ones left out, so links stay short). */
export function auditQuery(values: Partial<Record<AuditFilterField, string>>, page = 1): string {
  const query = new URLSearchParams();
  for (const field of AUDIT_FILTER_FIELDS) {
    const value = values[field];
    if (value) query.set(field, value);
  }
  if (page > 1) query.set("page", String(page));
  const text = query.toString();
  return text ? `?${text}` : "";
}
