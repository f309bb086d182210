import Form from "next/form";
import Link from "next/link";
import { eventLabel, KNOWN_EVENTS } from "@/lib/audit-log/describe";
import { ACTOR_FILTER_MAX, auditQuery, type AuditFilterField, type ParsedAuditFilters } from "@/lib/audit-log/filters";
import { buttonClasses } from "@/components/ui/button";

const control = (invalid: boolean) =>
  [
    "mt-1 block w-full rounded-lg border bg-white px-3 py-2 text-sm text-slate-900 shadow-xs",
    "focus:outline-2 focus:outline-offset-1 focus:outline-sky-600",
    invalid ? "border-red-500" : "border-slate-300",
  ].join(" ");

function Field({
  id,
  label,
  error,
  hint,
  children,
  className = "",
}: {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  children: React.ReactNode;
  className?: string;
}) {
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      {children}
      {hint && !error && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="mt-1 text-sm font-medium text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

const described = (id: string, error: string | undefined, hint?: boolean) =>
  error ? `${id}-error` : hint ? `${id}-hint` : undefined;

/**
 * The audit log's filters as a GET form: everything lives in the URL (shareable, reloadable), and the CSV export
 * link carries the same query, so the file holds exactly what the table shows (all pages of it).
 */
export function AuditFilters({ parsed }: { parsed: ParsedAuditFilters }) {
  const { values, errors } = parsed;
  const filtered = Object.values(values).some(Boolean);
  const events =
    values.event && !(KNOWN_EVENTS as string[]).includes(values.event) ? [...KNOWN_EVENTS, values.event] : KNOWN_EVENTS;
  const exportQuery = auditQuery(values);
  const hasErrors = Object.keys(errors).length > 0;
  /** What every control repeats: its id and name, the value from the URL, and its error (or hint) for readers. */
  const wired = (field: AuditFilterField, hint = false) => ({
    id: `audit-${field}`,
    name: field,
    defaultValue: values[field],
    "aria-invalid": errors[field] ? true : undefined,
    "aria-describedby": described(`audit-${field}`, errors[field], hint),
    className: control(Boolean(errors[field])),
  });
  return (
    <Form
      action="/admin/audit"
      role="search"
      aria-label="Filter the audit log"
      key={auditQuery(values)}
      className="space-y-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
    >
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <Field
          id="audit-connection"
          label="Connection id"
          error={errors.connection}
          hint="Or paste the connection's address."
        >
          <input
            {...wired("connection", true)}
            autoComplete="off"
            spellCheck={false}
            className={`${control(Boolean(errors.connection))} font-mono`}
          />
        </Field>
        <Field
          id="audit-actor"
          label="Actor"
          error={errors.actor}
          hint="Part of an e-mail, or system:… for the portal itself."
        >
          <input {...wired("actor", true)} type="search" maxLength={ACTOR_FILTER_MAX * 2} autoComplete="off" />
        </Field>
        <Field id="audit-event" label="Event" error={errors.event}>
          <select {...wired("event")}>
            <option value="">All events</option>
            {events.map((event) => (
              <option key={event} value={event}>
                {eventLabel(event)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="audit-outcome" label="Outcome" error={errors.outcome}>
          <select {...wired("outcome")}>
            <option value="">Success and failure</option>
            <option value="success">Success</option>
            <option value="failure">Failure</option>
          </select>
        </Field>
        <Field id="audit-from" label="From (UTC)" error={errors.from}>
          <input {...wired("from")} type="datetime-local" />
        </Field>
        <Field id="audit-to" label="To (UTC, inclusive)" error={errors.to}>
          <input {...wired("to")} type="datetime-local" />
        </Field>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className={buttonClasses("primary")}>
          Filter
        </button>
        {filtered && (
          <Link href="/admin/audit" className={buttonClasses("quiet")}>
            Clear filters
          </Link>
        )}
        {!hasErrors && (
          // A plain link: the browser downloads the file (Content-Disposition: attachment) and stays on this page.
          <a href={`/admin/audit/export${exportQuery}`} className={`${buttonClasses("secondary")} ml-auto`} download>
            Export CSV{filtered ? " (filtered)" : ""}
          </a>
        )}
      </div>
    </Form>
  );
}
