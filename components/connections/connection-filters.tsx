import Form from "next/form";
import Link from "next/link";
import { DISPLAY_STATUSES } from "@/lib/connections/status";
import { STATUS_LABELS } from "@/lib/messages/status";
import { SEARCH_MAX_LENGTH, connectionsHref, isFiltered, type ConnectionFilters } from "@/lib/connections/view";

const control =
  "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-xs focus:outline-2 focus:outline-offset-1 focus:outline-sky-600";

/**
 * Search and status filter as a GET form: the filters live in the URL (shareable, reloadable, back button), and
 * next/form turns the submit into a client-side navigation. A new search starts again at page 1. A null
 * organization searches every organization's connections (the admin area).
 */
export function ConnectionFiltersForm({
  organizationId,
  filters,
}: {
  organizationId: string | null;
  filters: ConnectionFilters;
}) {
  const filtered = isFiltered(filters);
  return (
    <Form
      action={organizationId ? "/connections" : "/admin/connections"}
      role="search"
      aria-label="Search connections"
      // A new URL remounts the form, so "Show all" also empties the fields.
      key={`${filters.q}|${filters.status ?? ""}|${filters.drift ? 1 : 0}`}
      className="flex flex-wrap items-end gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
    >
      {organizationId && <input type="hidden" name="organization" value={organizationId} />}
      <div className="min-w-56 flex-[2]">
        <label htmlFor="connection-search" className="block text-sm font-medium text-slate-800">
          Search by library name or id
        </label>
        <input
          id="connection-search"
          name="q"
          type="search"
          defaultValue={filters.q}
          maxLength={SEARCH_MAX_LENGTH}
          placeholder="e.g. Bistro or 101"
          autoComplete="off"
          className={control}
        />
      </div>
      <div className="min-w-48 flex-1">
        <label htmlFor="connection-status" className="block text-sm font-medium text-slate-800">
          Status
        </label>
        <select id="connection-status" name="status" defaultValue={filters.status ?? ""} className={control}>
          <option value="">All statuses</option>
          {DISPLAY_STATUSES.map((status) => (
            <option key={status} value={status}>
              {STATUS_LABELS[status]}
            </option>
          ))}
        </select>
      </div>
      <label className="flex items-center gap-2 pb-2 text-sm font-medium text-slate-800">
        <input
          type="checkbox"
          name="drift"
          value="1"
          defaultChecked={filters.drift}
          className="size-4 rounded border-slate-400 accent-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
        />
        Library drift only
      </label>
      <div className="flex items-center gap-3">
        <button
          type="submit"
          className="inline-flex items-center justify-center rounded-lg bg-slate-900 px-4 py-2 text-sm font-medium text-white hover:bg-slate-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
        >
          Search
        </button>
        {filtered && (
          <Link
            href={connectionsHref(organizationId, {})}
            className="rounded text-sm font-medium text-slate-700 underline underline-offset-2 hover:text-slate-950 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
          >
            Show all
          </Link>
        )}
      </div>
    </Form>
  );
}
