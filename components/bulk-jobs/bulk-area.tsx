import { startBulkJobAction } from "@/app/(portal)/connections/bulk-actions";
import { filtersQuery, isFiltered, type ConnectionListView } from "@/lib/connections/view";
import { recentBulkJobs } from "@/lib/dal/bulk-jobs";
import { requireUser } from "@/lib/dal/session";
import { BulkActionsBar } from "./bulk-actions-bar";
import { BulkSelectionScope } from "./bulk-selection";
import { RecentBulkJobs } from "./recent-bulk-jobs";

/**
 * Around the connections list: the bulk actions and CSV export above it (acting on the rows ticked in it, or on every
 * match of the filters in the URL, which the list follows), the latest bulk jobs below it. A null organization is
 * the admin area's list of every organization's connections.
 */
export async function BulkArea({
  organizationId,
  matches,
  children,
}: {
  organizationId: string | null;
  /** The list's filters (as it read them from the URL) and its count of the connections they match. */
  matches: Pick<ConnectionListView, "filters" | "total" | "totalCapped">;
  children: React.ReactNode;
}) {
  const user = await requireUser();
  const jobs = (await recentBulkJobs(user, organizationId)) ?? [];
  // Worked out here rather than in the browser, whose first-load JavaScript then needs no URL parser (issue 15).
  // A partner's list is its organization's: an `org` in its URL means nothing there.
  const filters = organizationId ? { ...matches.filters, organization: null } : matches.filters;
  const filterQuery = filtersQuery({ ...filters, sort: undefined, dir: undefined, cursor: null }).toString();
  const exportQuery = filtersQuery({ ...filters, cursor: null });
  if (organizationId) exportQuery.set("organization", organizationId);
  const exportPath = organizationId ? "/connections/export" : "/admin/connections/export";
  return (
    // A selection belongs to one search and set of filters: a new one starts with nothing selected (sorting and
    // paging keep it).
    <BulkSelectionScope key={filterQuery}>
      <div className="space-y-6">
        <BulkActionsBar
          organizationId={organizationId}
          action={startBulkJobAction}
          matches={{ total: matches.total, totalCapped: matches.totalCapped }}
          filterQuery={filterQuery}
          filtered={isFiltered(filters)}
          exportHref={`${exportPath}${exportQuery.size ? `?${exportQuery}` : ""}`}
        />
        {children}
        <RecentBulkJobs jobs={jobs} now={new Date()} />
      </div>
    </BulkSelectionScope>
  );
}
