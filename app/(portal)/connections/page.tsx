import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { BulkArea } from "@/components/bulk-jobs/bulk-area";
import { Banner } from "@/components/connections/banner";
import { ConnectionFiltersForm } from "@/components/connections/connection-filters";
import { ConnectionsList } from "@/components/connections/connections-list";
import { STATUS_OPTIONS } from "@/lib/messages/status";
import { NowProvider } from "@/components/connections/now";
import { OrganizationSwitcher } from "@/components/organization-switcher";
import { ConnectLibraryForm } from "@/components/connections/connect-library-form";
import { apicbaseWebBase, resolveApicbaseSettings } from "@/lib/apicbase/config";
import { isConnectErrorKey } from "@/lib/connections/notices";
import { CONNECT_ERRORS } from "@/lib/messages/connect";
import { env } from "@/lib/env";
import { connectionsHref, parseConnectionFilters } from "@/lib/connections/view";
import { applicationsForNewConnections } from "@/lib/dal/applications";
import { connectionFilterOptions, listConnections } from "@/lib/dal/connection-queries";
import { HealthPanel } from "@/components/health/health-panel";
import { organizationHealth } from "@/lib/dal/health";
import { requireSelectedOrganization } from "@/lib/dal/session";
import { firstParam, type SearchParams } from "@/lib/search-params";
import { startConnectAction } from "./actions";
import { PageHeader } from "@/components/ui/page-title";
import { cx, FOCUS_RING } from "@/components/ui/classes";

export const metadata: Metadata = { title: "Connections" };

export default async function ConnectionsPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const { user, organization } = await requireSelectedOrganization(params.organization, "/admin");
  const filters = parseConnectionFilters(params);
  const connectError = firstParam(params.connect_error);
  const settings = resolveApicbaseSettings(env());
  const sandbox = settings.target === "sandbox";
  const apicbase = apicbaseWebBase(env(), settings);

  const now = new Date();
  const [list, connectable, health, options] = await Promise.all([
    listConnections(user, organization.id, filters, now),
    applicationsForNewConnections(user),
    organizationHealth(user, organization.id, now),
    connectionFilterOptions(user, organization.id),
  ]);
  if (!list || !health || !options) notFound();

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <PageHeader context={organization.name} title="Connections">
          The Apicbase libraries connected to {organization.name}, with the state of each connection&apos;s tokens.
        </PageHeader>
        <div className="flex flex-wrap items-end gap-3">
          <Link
            href={`/connections/import?organization=${organization.id}`}
            className={cx(
              "rounded-lg px-2 py-2 text-sm font-medium text-slate-700",
              "underline underline-offset-2 hover:text-slate-950",
              FOCUS_RING,
            )}
          >
            Import tokens from Apicbase
          </Link>
          <ConnectLibraryForm action={startConnectAction} organizationId={organization.id} applications={connectable} />
        </div>
      </div>

      {connectable.length > 0 && (
        <p className="max-w-prose text-sm leading-6 text-slate-600">
          <strong className="font-medium text-slate-800">Connect a library</strong> approves at Apicbase as whoever is
          logged in there in this browser: Apicbase keeps its own login. That is most likely you, {user.email}, as you
          signed in to the portal with that account, and the library connected is the one active for you in Apicbase.
          For a customer&apos;s library,{" "}
          <Link
            href={`/links?organization=${organization.id}`}
            className="font-medium text-sky-800 underline underline-offset-2"
          >
            send them a connect link
          </Link>
          , or{" "}
          {sandbox ? (
            <a href={`${apicbase}/accounts/logout/`} className="font-medium text-sky-800 underline underline-offset-2">
              log out of the Apicbase sandbox
            </a>
          ) : (
            <>log out of Apicbase</>
          )}{" "}
          first and let them log in.
        </p>
      )}

      {isConnectErrorKey(connectError) && (
        <Banner
          tone="error"
          message={CONNECT_ERRORS[connectError]}
          dismissHref={connectionsHref(organization.id, filters)}
        />
      )}

      <OrganizationSwitcher user={user} current={organization.id} path="/connections" />

      <ConnectionFiltersForm
        organizationId={organization.id}
        filters={list.filters}
        statuses={STATUS_OPTIONS}
        applications={options.applications}
      />

      <NowProvider renderedAt={now.toISOString()}>
        <BulkArea organizationId={organization.id} matches={list}>
          <ConnectionsList organizationId={organization.id} data={list} now={now} />
        </BulkArea>
      </NowProvider>

      <HealthPanel
        health={health}
        title="Health over the last 30 days"
        needsReauthorizationHref={connectionsHref(organization.id, { status: "needs_reauthorization" })}
      />
    </div>
  );
}
