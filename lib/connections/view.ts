import type { ConnectionStatus } from "@/lib/db/schema";
import { DEFAULT_DIRECTION, SORT_KEYS, normalizeSearch, type ConnectionFilters } from "./list-url";
import { DISPLAY_STATUSES, type ConnectionFacts } from "./status";

export * from "./list-url";

/**
 * What the browser receives about connections: JSON-safe (times as ISO strings), shared by the pages' server
 * prefetch and the route handlers React Query polls, so both fill the cache with the same shape. Never a token.
 */

export const CONNECTIONS_PAGE_SIZE = 25;
/**
 * Lists are counted up to a cap ("more than 10,000"), not exactly: an exact count reads every row it counts, on every
 * request (250,000 across organizations: 40 ms on an idle PostgreSQL, 300 ms on a busy one), while counting up to
 * the cap costs what the cap costs. Filtered lists stop at FILTERED_COUNT_CAP: a filter no index serves is counted
 * by testing rows one by one.
 */
export const LIST_COUNT_CAP = 10_000;
export const FILTERED_COUNT_CAP = 1_000;
export const HISTORY_PAGE_SIZE = 20;

export type ConnectionView = {
  id: string;
  organizationId: string;
  organizationName: string;
  libraryId: number;
  libraryName: string;
  approvedBy: { email: string | null; name: string | null } | null;
  /** redirectMode "oob": no redirect URL, so approvals come back as a pasted code (manual code entry). */
  application: { id: string; name: string; clientId: string; redirectMode: "redirect" | "oob" };
  status: ConnectionStatus;
  scopes: string[];
  accessTokenExpiresAt: string | null;
  lastRefreshedAt: string | null;
  /**
   * The lifecycle engine's schedule: when the background refresher takes this connection up next (null when none is
   * planned: not refreshable, or not planned yet). `refreshPausedUntil`: its application's refreshes wait until then.
   */
  nextRefreshAt: string | null;
  refreshPausedUntil: string | null;
  lastRefreshError: string | null;
  lastRefreshFailedAt: string | null;
  refreshFailureCount: number;
  /** Failed retries of the background engine since the last success: "Refresh failing" only when above 0. */
  backgroundRefreshFailures: number;
  lastVerifiedAt: string | null;
  /** Whether the last verification examined the tokens the connection holds now. */
  verificationCurrent: boolean;
  lastVerification: {
    active: boolean;
    scopes: string[] | null;
    expiresAt: string | null;
    library: { id: number; name: string } | null;
  } | null;
  /** Set when the token now reaches another library than the connected one. */
  drift: { libraryId: number; libraryName: string | null } | null;
  createdAt: string;
  updatedAt: string;
};

const date = (value: string | null) => (value ? new Date(value) : null);

/** The facts lib/connections/status.ts derives the displayed state from. */
export function viewFacts(view: ConnectionView): ConnectionFacts {
  return {
    status: view.status,
    libraryId: view.libraryId,
    accessTokenExpiresAt: date(view.accessTokenExpiresAt),
    lastRefreshedAt: date(view.lastRefreshedAt),
    lastRefreshError: view.lastRefreshError,
    lastRefreshFailedAt: date(view.lastRefreshFailedAt),
    refreshFailureCount: view.refreshFailureCount,
    backgroundRefreshFailures: view.backgroundRefreshFailures,
    nextRefreshAt: date(view.nextRefreshAt),
    lastVerifiedAt: date(view.lastVerifiedAt),
    lastVerification: view.lastVerification,
    verificationCurrent: view.verificationCurrent,
    observedLibrary: view.drift ? { id: view.drift.libraryId, name: view.drift.libraryName } : null,
  };
}

export type ConnectionDetailView = ConnectionView & {
  createdBy: string | null;
  revoked: { at: string; by: string | null; reason: string | null } | null;
};

export type ConnectionListView = {
  /** Null: every organization's connections (admins). */
  organizationId: string | null;
  filters: ConnectionFilters;
  connections: ConnectionView[];
  /** Matching the filters, over every page; at most LIST_COUNT_CAP (FILTERED_COUNT_CAP when filtered). */
  total: number;
  /** More than `total` match: the count stopped at its cap. */
  totalCapped: boolean;
  /**
   * Every connection of the organization, whatever the filters: tells "none yet" from "none match". Counted only
   * when it matters (no filter, or nothing matches), up to LIST_COUNT_CAP; null otherwise.
   */
  organizationTotal: number | null;
  /** More than `organizationTotal` connections: that count stopped at its cap. */
  organizationTotalCapped: boolean;
  /** The position (1-based) of this page's first row, when known (not on the last page of a capped count). */
  firstPosition: number | null;
  /** Cursors of the neighbouring pages; null at either end. */
  previousCursor: string | null;
  nextCursor: string | null;
  /** Whether this is the first page (no cursor, or a "previous" that reached the start). */
  isFirst: boolean;
  isLast: boolean;
  pageSize: number;
  /** When the server answered; the first render's clock, so server and browser render the same countdown. */
  generatedAt: string;
};

export type HistoryEventView = {
  id: number;
  occurredAt: string;
  actor: string;
  event: string;
  outcome: "success" | "failure";
  apicbaseError: string | null;
  detail: Record<string, unknown> | null;
};

/** The token hand-outs to one API key, counted instead of listed. */
export type HandoutGroupView = {
  /** The key's name, when the key still exists. */
  keyName: string | null;
  actor: string;
  count: number;
  first: string;
  last: string;
};

export type ConnectionHistoryView = {
  /** Whether each token hand-out is listed among the events (otherwise they are only counted in `handouts`). */
  showHandouts: boolean;
  handouts: HandoutGroupView[];
  events: HistoryEventView[];
  total: number;
  page: number;
  pageCount: number;
  pageSize: number;
};

export type ConnectionDetailResponse = {
  connection: ConnectionDetailView;
  history: ConnectionHistoryView;
  generatedAt: string;
};

// ---------------------------------------------------------------------------------------------------------------
// Filters, sort and page, as they travel in the URL (?q=&status=&drift=1&app=&org=&sort=&dir=&cursor=).
// Parsed by hand, not with zod: zod in the browser would add about 30 kB to every page that shows connections
// (issue 15). The URL side (types, hrefs) is lib/connections/list-url.ts, which the browser's search form imports.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CURSOR = /^[A-Za-z0-9_-]{1,2000}$/;

type Param = string | string[] | undefined;
const first = (value: Param) => (Array.isArray(value) ? value[0] : value);
const oneOf = <T extends string>(values: readonly T[], value: string | undefined): T | null =>
  value !== undefined && (values as readonly string[]).includes(value) ? (value as T) : null;

/** Anything unusable in the URL falls back to "no filter" instead of an error page: the URL is user-editable. */
export function parseConnectionFilters(params: Record<string, Param> | URLSearchParams): ConnectionFilters {
  const get = (name: string) =>
    params instanceof URLSearchParams ? (params.get(name) ?? undefined) : first(params[name]);
  const sort = oneOf(SORT_KEYS, get("sort")) ?? "library";
  const id = (value: string | undefined) => (value && UUID.test(value) ? value.toLowerCase() : null);
  const cursor = get("cursor");
  const drift = get("drift");
  return {
    q: normalizeSearch(get("q") ?? ""),
    status: oneOf(DISPLAY_STATUSES, get("status")),
    drift: drift === "1" || drift === "true",
    application: id(get("app")),
    organization: id(get("org")),
    sort,
    dir: oneOf(["asc", "desc"] as const, get("dir")) ?? DEFAULT_DIRECTION[sort],
    cursor: cursor && CURSOR.test(cursor) ? cursor : null,
  };
}

function pageNumber(value: string | undefined): number {
  const n = value !== undefined && /^\d{1,7}$/.test(value.trim()) ? Number(value) : 1;
  return n >= 1 && n <= 1_000_000 ? n : 1;
}

export function parseHistoryPage(value: Param | null): number {
  return pageNumber(first(value ?? undefined));
}

/** `?handouts=1`: History lists each token hand-out too. */
export function parseShowHandouts(value: Param | null): boolean {
  const raw = first(value ?? undefined);
  return raw === "1" || raw === "true";
}
