import { z } from "zod";
import type { ConnectionStatus } from "@/lib/db/schema";
import { DISPLAY_STATUSES, type ConnectionFacts, type DisplayStatus } from "./status";

/**
 * What the browser receives about connections: JSON-safe (times as ISO strings), shared by the pages' server
 * prefetch and the route handlers React Query polls, so both fill the cache with the same shape. Never a token.
 */

export const CONNECTIONS_PAGE_SIZE = 25;
export const HISTORY_PAGE_SIZE = 20;
export const SEARCH_MAX_LENGTH = 100;

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
  /** Matching the filters, over every page. */
  total: number;
  /**
   * Every connection of the organization, whatever the filters: tells "none yet" from "none match". Counted only
   * when it matters (no filter, or nothing matches); null otherwise.
   */
  organizationTotal: number | null;
  page: number;
  pageCount: number;
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
// Filters, as they travel in the URL (?q=&status=&drift=1&page=).

export type ConnectionFilters = {
  q: string;
  status: DisplayStatus | null;
  page: number;
  /** Only connections whose token now reaches another library than the connected one. */
  drift?: boolean;
};

const pageNumber = z.coerce.number().int().min(1).max(1_000_000).catch(1);

/** Anything unusable in the URL falls back to "no filter" instead of an error page: the URL is user-editable. */
export const connectionFiltersSchema = z.object({
  q: z
    .string()
    .transform((value) => value.replace(/\s+/g, " ").trim().slice(0, SEARCH_MAX_LENGTH))
    .catch(""),
  status: z
    .enum(DISPLAY_STATUSES as [DisplayStatus, ...DisplayStatus[]])
    .nullable()
    .catch(null),
  page: pageNumber,
  drift: z
    .string()
    .transform((value) => value === "1" || value === "true")
    .catch(false),
});

type Param = string | string[] | undefined;
const first = (value: Param) => (Array.isArray(value) ? value[0] : value);

export function parseConnectionFilters(params: Record<string, Param> | URLSearchParams): ConnectionFilters {
  const get = (name: string) =>
    params instanceof URLSearchParams ? (params.get(name) ?? undefined) : first(params[name]);
  return connectionFiltersSchema.parse({
    q: get("q") ?? "",
    status: get("status") || null,
    page: get("page") ?? 1,
    drift: get("drift") ?? "",
  });
}

export function parseHistoryPage(value: Param | null): number {
  return pageNumber.parse(first(value ?? undefined) ?? 1);
}

/** `?handouts=1`: History lists each token hand-out too. */
export function parseShowHandouts(value: Param | null): boolean {
  const raw = first(value ?? undefined);
  return raw === "1" || raw === "true";
}

/** Whether any filter narrows the list (as opposed to the page number). */
export function isFiltered(filters: Pick<ConnectionFilters, "q" | "status" | "drift">): boolean {
  return Boolean(filters.q || filters.status || filters.drift);
}

/**
 * The dashboard's URL for these filters (empty ones left out, so URLs stay short and shareable). A null organization
 * is the admin area's list of every organization's connections.
 */
export function connectionsHref(organizationId: string | null, filters: Partial<ConnectionFilters>): string {
  const query = new URLSearchParams(organizationId ? { organization: organizationId } : {});
  if (filters.q) query.set("q", filters.q);
  if (filters.status) query.set("status", filters.status);
  if (filters.drift) query.set("drift", "1");
  if (filters.page && filters.page > 1) query.set("page", String(filters.page));
  const path = organizationId ? "/connections" : "/admin/connections";
  const search = query.toString();
  return search ? `${path}?${search}` : path;
}
