/**
 * Every word the portal shows about bulk actions: the actions' names, what happened to each connection (from the
 * runner's result codes) and a job's state. The runner stores codes; pages turn them into these words.
 */
import type { ConnectionFilters } from "@/lib/connections/view";
import type { BulkAction, BulkItemStatus, BulkJobStatus } from "@/lib/db/schema";
import { STATUS_LABELS } from "./status";

/** The bulk form's field messages (lib/bulk-jobs/forms.ts). */
export const BULK_FORM_TEXT = {
  action: "Choose an action.",
  scope: "Choose the selected connections or every match.",
  tooMany: (max: number) => `Select at most ${max} connections, or act on every connection the filter matches.`,
  noneSelected: "Select at least one connection first.",
} as const;

export const BULK_ACTION_LABELS: Record<BulkAction, string> = {
  verify: "Verify",
  refresh: "Refresh",
  reauthorization_links: "Create re-authorization links",
  revoke: "Revoke",
};

/** A job's title: "Verify 120 connections". */
export function bulkJobTitle(action: BulkAction, total: number): string {
  const connections = `${total.toLocaleString("en")} ${total === 1 ? "connection" : "connections"}`;
  switch (action) {
    case "verify":
      return `Verify ${connections}`;
    case "refresh":
      return `Refresh ${connections}`;
    case "reauthorization_links":
      return `Re-authorization links for ${connections}`;
    case "revoke":
      return `Revoke ${connections}`;
  }
}

/** Which connections of the chosen ones an action applies to (the others get no item). */
export const BULK_APPLIES_TO: Record<BulkAction, string> = {
  verify: "every connection that is not revoked",
  refresh: "active connections and those whose refresh fails (others cannot be refreshed)",
  reauthorization_links: "connections that need re-authorization",
  revoke: "every connection not revoked yet",
};

export const BULK_JOB_STATUS_LABELS: Record<BulkJobStatus, string> = {
  running: "Running",
  done: "Finished",
  cancelled: "Cancelled",
};

/** In the order the job page offers them as filters. */
export const BULK_ITEM_STATUS_ORDER: readonly BulkItemStatus[] = ["done", "failed", "skipped", "pending", "cancelled"];

export const BULK_ITEM_STATUS_LABELS: Record<BulkItemStatus, string> = {
  pending: "Waiting",
  done: "Done",
  failed: "Failed",
  skipped: "Skipped",
  cancelled: "Not done (cancelled)",
};

const RESULTS: Record<string, string> = {
  active: "Verified: active",
  not_active: "Verified: not active",
  other_library: "Verified: reaches another library",
  refreshed: "Refreshed: a new token pair is stored",
  fresh: "Not refreshed again: it got a new pair less than a minute ago",
  revoked: "Revoked",
  unsupported: "Revoked in the portal; Apicbase offers no revocation",
  pending: "Revoked in the portal; Apicbase's revocation is retried",
  failed: "Revoked in the portal; Apicbase's revocation failed",
  link_created: "Link created",
  not_needed: "No link needed: it no longer needs re-authorization",
  no_redirect: "No link: its application has no redirect URL (use Re-authorize on its page)",
  not_allowed: "Not done: the person who started this may no longer act on this organization",
  not_found: "Not done: the connection no longer exists",
  not_refreshable: "Not possible in this state",
  busy: "Not done: another refresh of it was under way",
  cancelled: "Not done: the job was cancelled",
  gave_up: "Failed: interrupted three times",
  portal_error: "Failed: the portal could not finish it",
};

/** What happened to one connection, from the runner's result code (an Apicbase error code is shown as such). */
export function bulkResultText(result: string | null, status: BulkItemStatus): string {
  if (!result) return BULK_ITEM_STATUS_LABELS[status];
  return RESULTS[result] ?? `Failed: Apicbase answered ${result}`;
}

export const LINK_STATE_TEXT = {
  open: "Works once, until",
  used: "Used: the owner approved",
  expired: "No longer works (expired or replaced by a newer link)",
} as const;

/** The list's filters a job was started on, in words: "with the status “Needs re-authorization”". */
export function filtersText(
  filters: Pick<ConnectionFilters, "q" | "status" | "drift" | "application" | "organization">,
): string {
  const parts: string[] = [];
  if (filters.q) parts.push(`a library name or id containing “${filters.q}”`);
  if (filters.status) parts.push(`the status “${STATUS_LABELS[filters.status]}”`);
  if (filters.drift) parts.push("a token that reaches another library");
  return [
    "every connection",
    filters.organization ? " of one organization" : "",
    filters.application ? " made with one application" : "",
    parts.length > 0 ? ` with ${parts.join(" and ")}` : "",
  ].join("");
}
