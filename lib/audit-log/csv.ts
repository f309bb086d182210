import type { AuditExportRow } from "./query";

/**
 * CSV per RFC 4180 (CRLF line ends, fields with a comma, quote or line break in double quotes, quotes doubled),
 * safe to open in a spreadsheet: a cell that begins with = + - @, a tab or a carriage return would be read as a
 * formula, so it gets a leading single quote (OWASP "CSV Injection"). Library and user names come from Apicbase
 * and are not ours to trust.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean | null | undefined): string {
  let text = value === null || value === undefined ? "" : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: readonly (string | number | boolean | null | undefined)[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

export const AUDIT_CSV_COLUMNS = [
  "time_utc",
  "actor",
  "actor_user_id",
  "organization",
  "organization_id",
  "connection_id",
  "library_id",
  "library_name",
  "event",
  "event_description",
  "outcome",
  "apicbase_error",
  "summary",
  "detail_json",
] as const;

export function auditCsvLine(row: AuditExportRow): string {
  return csvLine([
    row.occurredAt,
    row.actor.label,
    row.actor.userId,
    row.organization?.name,
    row.organization?.id,
    row.connection?.id,
    row.connection?.libraryId,
    row.connection?.libraryName,
    row.event,
    row.eventLabel,
    row.outcome,
    row.apicbaseError,
    row.summary,
    row.detail ? JSON.stringify(row.detail) : "",
  ]);
}

/** The file's name: audit-log-20261127-1403.csv (UTC). */
export function auditCsvFilename(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 13);
  return `audit-log-${stamp}.csv`;
}
