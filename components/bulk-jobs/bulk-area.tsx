import { startBulkJobAction } from "@/app/(portal)/connections/bulk-actions";
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
  /** The list's count of connections its filters match. */
  matches: { total: number; totalCapped: boolean };
  children: React.ReactNode;
}) {
  const user = await requireUser();
  const jobs = (await recentBulkJobs(user, organizationId)) ?? [];
  return (
    <BulkSelectionScope>
      <div className="space-y-6">
        <BulkActionsBar organizationId={organizationId} action={startBulkJobAction} matches={matches} />
        {children}
        <RecentBulkJobs jobs={jobs} now={new Date()} />
      </div>
    </BulkSelectionScope>
  );
}
