import { HydrationBoundary, dehydrate } from "@tanstack/react-query";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ConnectionFiltersForm } from "@/components/connections/connection-filters";
import { ConnectionsList } from "@/components/connections/connections-list";
import { NowProvider } from "@/components/connections/now";
import { parseConnectionFilters } from "@/lib/connections/view";
import { connectionFilterOptions, listConnections } from "@/lib/dal/connection-queries";
import { requireAdmin } from "@/lib/dal/session";
import { makeQueryClient } from "@/lib/query-client";
import { queryKeys } from "@/lib/query-keys";
import type { SearchParams } from "@/lib/search-params";
import { PageTitle } from "@/components/ui/page-title";

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
  const queryClient = makeQueryClient();
  queryClient.setQueryData(queryKeys.connections.list(null, filters), list);

  return (
    <div className="space-y-6">
      <div className="space-y-2">
        <p className="text-sm font-medium text-slate-600">Admin</p>
        <PageTitle>All connections</PageTitle>
        <p className="max-w-prose leading-7 text-slate-700">
          Every organization&apos;s connected libraries. Open one to refresh, verify, revoke it (with a reason) or
          create a re-authorization link for its library owner.
        </p>
      </div>
      <ConnectionFiltersForm
        organizationId={null}
        applications={options.applications}
        organizations={options.organizations}
      />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <NowProvider renderedAt={now.toISOString()}>
          <ConnectionsList organizationId={null} />
        </NowProvider>
      </HydrationBoundary>
    </div>
  );
}
