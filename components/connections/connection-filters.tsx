"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import {
  DEFAULT_DIRECTION,
  SEARCH_MAX_LENGTH,
  SORT_KEYS,
  SORT_LABELS,
  connectionsHref,
  isFiltered,
  normalizeSearch,
  type ConnectionFilters,
  type SortDirection,
  type SortKey,
} from "@/lib/connections/list-url";
import { cx, FOCUS_RING } from "@/components/ui/classes";

const control =
  "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-xs " +
  "focus:outline-2 focus:outline-offset-1 focus:outline-sky-600";

/** How long typing pauses before the list follows the search box. */
export const SEARCH_DEBOUNCE_MS = 300;

export type FilterOption = { id: string; name: string };

/** One filter's list: "All …" (no filter, an empty value), then its options; a choice is null for "All". */
function FilterSelect({
  id,
  name,
  label,
  all,
  value,
  options,
  onChoose,
}: {
  id: string;
  name: string;
  label: string;
  all: string;
  value: string | null | undefined;
  options: { value: string; label: string }[];
  onChoose: (value: string | null) => void;
}) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <select
        id={id}
        name={name}
        value={value ?? ""}
        onChange={(event) => onChoose(event.target.value || null)}
        className={control}
      >
        <option value="">{all}</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * Search, filters and sort. Everything lives in the URL (shareable, reloadable, back button): a choice in a list
 * adds a history entry at once, typing in the search box replaces the URL once typing pauses, and the page (the
 * server renders the list for the URL) follows. Any change starts again at the first page. Without JavaScript it is
 * a plain GET form. A null organization is the admin area's list of every organization, which can also be narrowed
 * to one organization. The options come from the server, so no status logic ships to the browser.
 */
export function ConnectionFiltersForm({
  organizationId,
  filters,
  statuses,
  applications,
  organizations,
}: {
  organizationId: string | null;
  /** As the server read them from the URL. */
  filters: ConnectionFilters;
  statuses: { value: string; label: string }[];
  applications: FilterOption[];
  /** The admin list only: the organizations to choose from. */
  organizations?: FilterOption[];
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [q, setQ] = useState(filters.q);
  const pushed = useRef(filters.q);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // What the controls show: the last choice made here, until the server's answer for the URL arrives. Changes made
  // while a navigation is on its way build on it (a ref, so a pending search timer sees the newest too).
  const [shown, setShown] = useState(filters);
  const latest = useRef(filters);
  const rendered = connectionsHref(organizationId, filters);

  // The URL changed (our own navigation arrived, a link such as "Show all", the back button): show it. The search
  // box keeps what is being typed unless the URL's search differs from the last one asked for here.
  const [seen, setSeen] = useState(rendered);
  if (seen !== rendered) {
    setSeen(rendered);
    setShown(filters);
    if (filters.q !== shown.q) setQ(filters.q);
  }
  useEffect(() => {
    latest.current = filters;
    pushed.current = filters.q;
    // `rendered` stands for every field of `filters`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [rendered]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const go = (next: Partial<ConnectionFilters>, mode: "push" | "replace") => {
    clearTimeout(timer.current);
    const merged: ConnectionFilters = { ...latest.current, q: normalizeSearch(q), ...next, cursor: null };
    latest.current = merged;
    setShown(merged);
    pushed.current = merged.q;
    const href = connectionsHref(organizationId, merged);
    startTransition(() => {
      if (mode === "push") router.push(href, { scroll: false });
      else router.replace(href, { scroll: false });
    });
  };

  const onSearch = (value: string) => {
    setQ(value);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      if (normalizeSearch(value) !== pushed.current) go({ q: normalizeSearch(value) }, "replace");
    }, SEARCH_DEBOUNCE_MS);
  };

  const sortValue = `${shown.sort ?? "library"}:${shown.dir ?? "asc"}`;
  return (
    <form
      action={organizationId ? "/connections" : "/admin/connections"}
      role="search"
      aria-label="Search connections"
      onSubmit={(event) => {
        event.preventDefault();
        go({ q: normalizeSearch(q) }, "push");
      }}
      className={cx(
        "grid grid-cols-1 gap-3 rounded-xl border border-slate-200",
        "bg-white p-4 shadow-sm sm:grid-cols-2 lg:grid-cols-4",
      )}
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
          The list follows as you type.{" "}
          <span aria-hidden={!pending} className={pending ? "" : "invisible"}>
            Searching…
          </span>
        </p>
      </div>
      <FilterSelect
        id="connection-status"
        name="status"
        label="Status"
        all="All statuses"
        value={shown.status}
        options={statuses}
        onChoose={(value) => go({ status: value as ConnectionFilters["status"] }, "push")}
      />
      <FilterSelect
        id="connection-application"
        name="app"
        label="Application"
        all="All applications"
        value={shown.application}
        options={applications.map((application) => ({ value: application.id, label: application.name }))}
        onChoose={(value) => go({ application: value }, "push")}
      />
      {organizations && (
        <FilterSelect
          id="connection-organization"
          name="org"
          label="Organization"
          all="All organizations"
          value={shown.organization}
          options={organizations.map((organization) => ({ value: organization.id, label: organization.name }))}
          onChoose={(value) => go({ organization: value }, "push")}
        />
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
            checked={Boolean(shown.drift)}
            onChange={(event) => go({ drift: event.target.checked }, "push")}
            className={cx("size-4 rounded border-slate-400 accent-slate-900", FOCUS_RING)}
          />
          Library drift only
        </label>
        <button
          type="submit"
          className={cx(
            "inline-flex items-center justify-center rounded-lg bg-slate-900",
            "px-4 py-2 text-sm font-medium text-white hover:bg-slate-700",
            FOCUS_RING,
          )}
        >
          Search
        </button>
        {isFiltered(filters) && (
          <Link
            href={connectionsHref(organizationId, { sort: filters.sort, dir: filters.dir })}
            className={cx(
              "rounded pb-2 text-sm font-medium text-slate-700 underline underline-offset-2 hover:text-slate-950",
              FOCUS_RING,
            )}
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
