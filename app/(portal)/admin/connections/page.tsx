import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { BulkArea } from "@/components/bulk-jobs/bulk-area";
import { ConnectionFiltersForm } from "@/components/connections/connection-filters";
import { ConnectionsList } from "@/components/connections/connections-list";
import { STATUS_OPTIONS } from "@/lib/messages/status";
import { NowProvider } from "@/components/connections/now";
import { parseConnectionFilters } from "@/lib/connections/view";
import { connectionFilterOptions, listConnections } from "@/lib/dal/connection-queries";
import { requireAdmin } from "@/lib/dal/session";
import type { SearchParams } from "@/lib/search-params";
import { PageHeader } from "@/components/ui/page-title";

export const metadata: Metadata = { title: "All connections" };

/** Every organization's connections: the partner dashboard's list, search, filters and pages, plus the organization. */
export default async function AdminConnectionsPage({ searchParams }: { searchParams: SearchParams }) {
  const admin = await requireAdmin();
  const filters = parseConnectionFilters(await searchParams);
  const now = new Date();
  const [list, options] = await Promise.all([
    listConnections(admin, null, filters, now),
    connectionFilterOptions(admin, null),
  ]);
  if (!list || !options) notFound();

  return (
    <div className="space-y-6">
      <PageHeader context="Admin" title="All connections">
        Every organization&apos;s connected libraries. Open one to refresh, verify, revoke it (with a reason) or create
        a re-authorization link for its library owner.
      </PageHeader>
      <ConnectionFiltersForm
        organizationId={null}
        filters={list.filters}
        statuses={STATUS_OPTIONS}
        applications={options.applications}
        organizations={options.organizations}
      />
      <NowProvider renderedAt={now.toISOString()}>
        <BulkArea organizationId={null} matches={list}>
          <ConnectionsList organizationId={null} data={list} now={now} />
        </BulkArea>
      </NowProvider>
    </div>
  );
}
