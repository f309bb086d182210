"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { DISPLAY_STATUSES } from "@/lib/connections/status";
import { STATUS_LABELS } from "@/lib/messages/status";
import {
  DEFAULT_DIRECTION,
  SEARCH_MAX_LENGTH,
  SORT_KEYS,
  SORT_LABELS,
  connectionsHref,
  isFiltered,
  normalizeSearch,
  parseConnectionFilters,
  type ConnectionFilters,
  type SortDirection,
  type SortKey,
} from "@/lib/connections/view";

const control =
  "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-xs " +
  "focus:outline-2 focus:outline-offset-1 focus:outline-sky-600";

/** How long typing pauses before the list follows the search box. */
export const SEARCH_DEBOUNCE_MS = 300;

export type FilterOption = { id: string; name: string };

/**
 * Search, filters and sort. Everything lives in the URL (shareable, reloadable, back button): a choice in a list
 * adds a history entry at once, typing in the search box replaces the URL once typing pauses, and the connections
 * list (which reads the same URL) follows. Any change starts again at the first page. Without JavaScript it is a
 * plain GET form. A null organization is the admin area's list of every organization, which can also be narrowed
 * to one organization.
 */
export function ConnectionFiltersForm({
  organizationId,
  applications,
  organizations,
}: {
  organizationId: string | null;
  applications: FilterOption[];
  /** The admin list only: the organizations to choose from. */
  organizations?: FilterOption[];
}) {
  const filters = parseConnectionFilters(new URLSearchParams(useSearchParams().toString()));
  const [q, setQ] = useState(filters.q);
  const pushed = useRef(filters.q);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // The URL changed from elsewhere (a link such as "Show all", the back button): the box shows it.
  useEffect(() => {
    if (filters.q !== pushed.current) {
      pushed.current = filters.q;
      setQ(filters.q);
    }
  }, [filters.q]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const go = (next: Partial<ConnectionFilters>, mode: "push" | "replace") => {
    clearTimeout(timer.current);
    const merged: ConnectionFilters = { ...filters, q: normalizeSearch(q), ...next, cursor: null };
    pushed.current = merged.q;
    const href = connectionsHref(organizationId, merged);
    // Next.js follows the History API: useSearchParams() sees the new URL, without a server round trip.
    if (mode === "push") window.history.pushState(null, "", href);
    else window.history.replaceState(null, "", href);
  };

  const onSearch = (value: string) => {
    setQ(value);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      if (normalizeSearch(value) !== pushed.current) go({ q: normalizeSearch(value) }, "replace");
    }, SEARCH_DEBOUNCE_MS);
  };

  const sortValue = `${filters.sort ?? "library"}:${filters.dir ?? "asc"}`;
  return (
    <form
      action={organizationId ? "/connections" : "/admin/connections"}
      role="search"
      aria-label="Search connections"
      onSubmit={(event) => {
        event.preventDefault();
        go({ q: normalizeSearch(q) }, "push");
      }}
      className="grid grid-cols-1 gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-2 lg:grid-cols-4"
    >
      {organizationId && <input type="hidden" name="organization" value={organizationId} />}
      <div className="sm:col-span-2">
        <label htmlFor="connection-search" className="block text-sm font-medium text-slate-800">
          Search by library name or id
        </label>
        <input
          id="connection-search"
          name="q"
          type="search"
          value={q}
          onChange={(event) => onSearch(event.target.value)}
          maxLength={SEARCH_MAX_LENGTH}
          placeholder="e.g. Bistro or 101"
          autoComplete="off"
          aria-describedby="connection-search-hint"
          className={control}
        />
        <p id="connection-search-hint" className="mt-1 text-xs text-slate-600">
          The list follows as you type.
        </p>
      </div>
      <div>
        <label htmlFor="connection-status" className="block text-sm font-medium text-slate-800">
          Status
        </label>
        <select
          id="connection-status"
          name="status"
          value={filters.status ?? ""}
          onChange={(event) => go({ status: (event.target.value || null) as ConnectionFilters["status"] }, "push")}
          className={control}
        >
          <option value="">All statuses</option>
          {DISPLAY_STATUSES.map((status) => (
            <option key={status} value={status}>
              {STATUS_LABELS[status]}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="connection-application" className="block text-sm font-medium text-slate-800">
          Application
        </label>
        <select
          id="connection-application"
          name="app"
          value={filters.application ?? ""}
          onChange={(event) => go({ application: event.target.value || null }, "push")}
          className={control}
        >
          <option value="">All applications</option>
          {applications.map((application) => (
            <option key={application.id} value={application.id}>
              {application.name}
            </option>
          ))}
        </select>
      </div>
      {organizations && (
        <div>
          <label htmlFor="connection-organization" className="block text-sm font-medium text-slate-800">
            Organization
          </label>
          <select
            id="connection-organization"
            name="org"
            value={filters.organization ?? ""}
            onChange={(event) => go({ organization: event.target.value || null }, "push")}
            className={control}
          >
            <option value="">All organizations</option>
            {organizations.map((organization) => (
              <option key={organization.id} value={organization.id}>
                {organization.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <div>
        <label htmlFor="connection-sort" className="block text-sm font-medium text-slate-800">
          Sort by
        </label>
        <select
          id="connection-sort"
          value={sortValue}
          onChange={(event) => {
            const [sort, dir] = event.target.value.split(":") as [SortKey, SortDirection];
            go({ sort, dir }, "push");
          }}
          className={control}
        >
          {SORT_KEYS.flatMap((key) =>
            (DEFAULT_DIRECTION[key] === "asc" ? (["asc", "desc"] as const) : (["desc", "asc"] as const)).map((dir) => (
              <option key={`${key}:${dir}`} value={`${key}:${dir}`}>
                {SORT_LABELS[key]} {DIRECTION_WORDS[key][dir]}
              </option>
            )),
          )}
        </select>
      </div>
      <div className="flex flex-wrap items-end gap-x-4 gap-y-2 sm:col-span-2 lg:col-span-1">
        <label className="flex items-center gap-2 pb-2 text-sm font-medium text-slate-800">
          <input
            type="checkbox"
            name="drift"
            value="1"
            checked={Boolean(filters.drift)}
            onChange={(event) => go({ drift: event.target.checked }, "push")}
            className="size-4 rounded border-slate-400 accent-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
          />
          Library drift only
        </label>
        <button
          type="submit"
          className="inline-flex items-center justify-center rounded-lg bg-slate-900 px-4 py-2 text-sm font-medium text-white hover:bg-slate-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
        >
          Search
        </button>
        {isFiltered(filters) && (
          <Link
            href={connectionsHref(organizationId, { sort: filters.sort, dir: filters.dir })}
            className="rounded pb-2 text-sm font-medium text-slate-700 underline underline-offset-2 hover:text-slate-950 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
          >
            Show all
          </Link>
        )}
      </div>
    </form>
  );
}

/** "Library A–Z", "Last refresh newest first": each direction in words that fit the column. */
export const DIRECTION_WORDS: Record<SortKey, Record<SortDirection, string>> = {
  library: { asc: "A–Z", desc: "Z–A" },
  status: { asc: "most urgent first", desc: "least urgent first" },
  expiry: { asc: "soonest first", desc: "latest first" },
  refreshed: { desc: "newest first", asc: "oldest first" },
  approved: { asc: "A–Z", desc: "Z–A" },
};
