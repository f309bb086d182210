import { startBulkJobAction } from "@/app/(portal)/connections/bulk-actions";
import { connectionsHref, type ConnectionFilters } from "@/lib/connections/view";
import { recentBulkJobs } from "@/lib/dal/bulk-jobs";
import { requireUser } from "@/lib/dal/session";
import { BulkActionsBar } from "./bulk-actions-bar";
import { BulkSelectionProvider } from "./bulk-selection";
import { RecentBulkJobs } from "./recent-bulk-jobs";

/**
 * Around the connections list: the bulk actions and CSV export above it (acting on the rows ticked in it, or on every
 * match of its filters), the latest bulk jobs below it. A null organization is the admin area's list of every
 * organization's connections.
 */
export async function BulkArea({
  organizationId,
  filters,
  children,
}: {
  organizationId: string | null;
  filters: ConnectionFilters;
  children: React.ReactNode;
}) {
  const user = await requireUser();
  const jobs = (await recentBulkJobs(user, organizationId)) ?? [];
  const href = connectionsHref(organizationId, { ...filters, page: 1 });
  const filterQuery = href.split("?")[1] ?? "";
  const exportHref = `${organizationId ? "/connections/export" : "/admin/connections/export"}${filterQuery ? `?${filterQuery}` : ""}`;
  return (
    // A new search (another URL without its page) starts with nothing selected.
    <BulkSelectionProvider key={filterQuery}>
      <div className="space-y-6">
        <BulkActionsBar
          organizationId={organizationId}
          filters={filters}
          filterQuery={filterQuery}
          exportHref={exportHref}
          action={startBulkJobAction}
        />
        {children}
        <RecentBulkJobs jobs={jobs} now={new Date()} />
      </div>
    </BulkSelectionProvider>
  );
}
