import type { DisplayStatus } from "./status";

/**
 * The connections list's filters, sort and page as they travel in the URL (?q=&status=&drift=1&app=&org=&sort=&dir=
 * &cursor=): types and hrefs only, for the browser's search form (no status logic, no zod). Parsing the URL is
 * lib/connections/view.ts (parseConnectionFilters).
 */

export const SEARCH_MAX_LENGTH = 100;

export const SORT_KEYS = ["library", "status", "expiry", "refreshed", "approved"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = "asc" | "desc";

export const SORT_LABELS: Record<SortKey, string> = {
  library: "Library",
  status: "Status",
  expiry: "Access token expires",
  refreshed: "Last refresh",
  approved: "Approved by",
};

/** The direction a column sorts in when first chosen: the latest refresh first; everything else ascending. */
export const DEFAULT_DIRECTION: Record<SortKey, SortDirection> = {
  library: "asc",
  status: "asc",
  expiry: "asc",
  refreshed: "desc",
  approved: "asc",
};

export type ConnectionFilters = {
  q: string;
  status: DisplayStatus | null;
  /** Only connections whose token now reaches another library than the connected one. */
  drift?: boolean;
  /** Only connections made with this application (an id). */
  application?: string | null;
  /** The admin list only: one organization's connections (an id). */
  organization?: string | null;
  sort?: SortKey;
  dir?: SortDirection;
  /** Which page: an opaque keyset cursor (lib/connections/queries.ts); absent for the first page. */
  cursor?: string | null;
};

const numberFormat = new Intl.NumberFormat("en");

/**
 * A count as a sentence shows it, "4 connections", or for a count that stopped at its cap (lib/connections/view.ts,
 * LIST_COUNT_CAP) the truth, "more than 10,000 connections".
 */
export function countText(n: number, capped: boolean, noun = "connection"): string {
  if (capped) return `more than ${numberFormat.format(n)} ${noun}s`;
  return `${numberFormat.format(n)} ${n === 1 ? noun : `${noun}s`}`;
}

/** Spaces collapsed and trimmed, at most SEARCH_MAX_LENGTH characters. */
export function normalizeSearch(value: string): string {
  return value.replace(/\s+/g, " ").trim().slice(0, SEARCH_MAX_LENGTH);
}

/** Whether any filter narrows the list (as opposed to the sort or the page). */
export function isFiltered(
  filters: Pick<ConnectionFilters, "q" | "status" | "drift" | "application" | "organization">,
): boolean {
  return Boolean(filters.q || filters.status || filters.drift || filters.application || filters.organization);
}

/** The URL's query for these filters (empty ones and defaults left out, so URLs stay short and shareable). */
export function filtersQuery(filters: Partial<ConnectionFilters>): URLSearchParams {
  const query = new URLSearchParams();
  if (filters.q) query.set("q", filters.q);
  if (filters.status) query.set("status", filters.status);
  if (filters.drift) query.set("drift", "1");
  if (filters.application) query.set("app", filters.application);
  if (filters.organization) query.set("org", filters.organization);
  const sort = filters.sort ?? "library";
  if (sort !== "library") query.set("sort", sort);
  if (filters.dir && filters.dir !== DEFAULT_DIRECTION[sort]) query.set("dir", filters.dir);
  if (filters.cursor) query.set("cursor", filters.cursor);
  return query;
}

/**
 * The dashboard's URL for these filters. A null organization is the admin area's list of every organization's
 * connections.
 */
export function connectionsHref(organizationId: string | null, filters: Partial<ConnectionFilters>): string {
  const query = filtersQuery(filters);
  const path = organizationId ? "/connections" : "/admin/connections";
  const search = organizationId ? `organization=${organizationId}${query.size ? `&${query}` : ""}` : `${query}`;
  return search ? `${path}?${search}` : path;
}
