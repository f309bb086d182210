"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { SelectCell, SelectHeaderCell } from "@/components/bulk-jobs/bulk-selection";
import { connectionListQuery } from "@/lib/connections/query-options";
import { deriveConnectionState } from "@/lib/connections/status";
import {
  connectionsHref,
  isFiltered,
  viewFacts,
  type ConnectionFilters,
  type ConnectionView,
} from "@/lib/connections/view";
import { REFRESH_TEXT, STATUS_LABELS, VERIFICATION_TEXT } from "@/lib/messages/status";
import { ExpiryCountdown, LiveDateTime } from "./countdown";
import { NextRefresh } from "./next-refresh";
import { DriftWarning } from "./drift-warning";
import { Email } from "./email";
import { useNow } from "./now";
import { ScopeChips } from "./scope-chips";
import { RefreshNote, VerificationSummary } from "./state-parts";
import { StatusBadge } from "./status-badge";

const link =
  "rounded font-semibold text-sky-800 underline-offset-2 hover:text-sky-950 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";

const numberFormat = new Intl.NumberFormat("en");

/**
 * The dashboard's table, hydrated from the server's prefetch and polled every 15 seconds. A null organization lists
 * every organization's connections (the admin area), with a column naming each one's organization.
 */
export function ConnectionsList({
  organizationId,
  filters,
}: {
  organizationId: string | null;
  filters: ConnectionFilters;
}) {
  const { data, error, isFetching } = useQuery(connectionListQuery(organizationId, filters));
  if (!data) {
    return (
      <p role="status" className="text-slate-700">
        {error ? `The connections could not be loaded: ${error.message}` : "Loading connections…"}
      </p>
    );
  }
  const filtered = isFiltered(filters);
  const first = (data.page - 1) * data.pageSize + 1;
  const last = first + data.connections.length - 1;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <p role="status" className="text-slate-700">
          {data.total === 0
            ? filtered
              ? "No connection matches."
              : "No connections yet."
            : `Showing ${numberFormat.format(first)}–${numberFormat.format(last)} of ${numberFormat.format(data.total)} ${
                data.total === 1 ? "connection" : "connections"
              }${filtered ? " matching" : ""}.`}
        </p>
        {/* Not a live region: announcing every poll would drown the page. A failure is an alert, once. */}
        {error ? (
          <p role="alert" className="font-medium text-red-700">
            Live updates paused: {error.message}
          </p>
        ) : (
          <p className="text-slate-500">{isFetching ? "Updating…" : "Updates every 15 seconds."}</p>
        )}
      </div>

      {data.organizationTotal === 0 && organizationId === null ? (
        <section
          aria-labelledby="empty-title"
          className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center"
        >
          <h2 id="empty-title" className="text-lg font-semibold text-slate-900">
            No organization has connected a library yet
          </h2>
          <p className="mx-auto mt-2 max-w-prose leading-7 text-slate-700">
            Partners connect libraries from their organization&apos;s dashboard. Create an organization and add its
            members under{" "}
            <Link href="/admin/organizations" className={link}>
              Organizations
            </Link>
            ; their connections appear here.
          </p>
        </section>
      ) : data.organizationTotal === 0 ? (
        <section
          aria-labelledby="empty-title"
          className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center"
        >
          <h2 id="empty-title" className="text-lg font-semibold text-slate-900">
            No library is connected yet
          </h2>
          <p className="mx-auto mt-2 max-w-prose leading-7 text-slate-700">
            Choose <strong className="font-semibold">Connect a library</strong> above. Apicbase asks you to log in with
            the account whose <em>active library</em> you want to connect (for a customer&apos;s library, the customer
            logs in) and to approve the partner application. You come back here (or, for an application without a
            redirect URL, paste the code Apicbase shows), and the library appears with its status, scopes and token
            expiry.
          </p>
          <p className="mx-auto mt-2 max-w-prose leading-7 text-slate-700">
            Customer without a portal account? Send them a{" "}
            <Link href={organizationId ? `/links?organization=${organizationId}` : "/links"} className={link}>
              connect link
            </Link>
            . Already holding tokens a library owner generated in Apicbase? Import them with{" "}
            <strong className="font-semibold">Import tokens from Apicbase</strong>.
          </p>
        </section>
      ) : data.total === 0 ? (
        <section
          aria-labelledby="no-results-title"
          className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-10 text-center"
        >
          <h2 id="no-results-title" className="text-lg font-semibold text-slate-900">
            No connections match this search
          </h2>
          <p className="mx-auto mt-2 max-w-prose leading-7 text-slate-700">
            {data.organizationTotal === 1
              ? "The one connection does not have"
              : `None of the ${numberFormat.format(data.organizationTotal ?? 0)} connections has`}
            {filters.q && (
              <>
                {" "}
                a library name or id containing <strong className="font-semibold">&ldquo;{filters.q}&rdquo;</strong>
              </>
            )}
            {filters.q && filters.status && " and"}
            {filters.status && (
              <>
                {" "}
                the status <strong className="font-semibold">&ldquo;{STATUS_LABELS[filters.status]}&rdquo;</strong>
              </>
            )}
            {filters.drift && (
              <>{(filters.q || filters.status) && " and"} a token that reaches another library than the connected one</>
            )}
            . Check the spelling, search for a library id, or{" "}
            <Link href={connectionsHref(organizationId, {})} className={link}>
              show all connections
            </Link>
            .
          </p>
        </section>
      ) : (
        <>
          <ConnectionsTable connections={data.connections} showOrganization={organizationId === null} />
          <Pagination organizationId={organizationId} filters={filters} page={data.page} pageCount={data.pageCount} />
        </>
      )}
    </div>
  );
}

function ConnectionsTable({
  connections,
  showOrganization,
}: {
  connections: ConnectionView[];
  showOrganization: boolean;
}) {
  const now = useNow();
  const th = "px-3 py-2.5 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase";
  return (
    // Focusable so keyboard users can scroll it sideways on narrow screens.
    <div
      className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm"
      tabIndex={0}
      role="region"
      aria-label="Connections table"
    >
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">Connections, sorted by library name</caption>
        <thead className="bg-slate-50">
          <tr>
            <SelectHeaderCell ids={connections.map((connection) => connection.id)} className={th} />
            <th scope="col" className={th}>
              Library
            </th>
            {showOrganization && (
              <th scope="col" className={th}>
                Organization
              </th>
            )}
            <th scope="col" className={th}>
              Status
            </th>
            <th scope="col" className={th}>
              Approved by
            </th>
            <th scope="col" className={th}>
              Scopes
            </th>
            <th scope="col" className={th}>
              Access token expires
            </th>
            <th scope="col" className={th}>
              Refresh &amp; verification
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {connections.map((connection) => {
            const state = deriveConnectionState(viewFacts(connection), now);
            return (
              <tr key={connection.id} className="align-top" data-connection={connection.id}>
                <SelectCell id={connection.id} label={connection.libraryName} />
                <th scope="row" className="px-3 py-3 text-left font-normal">
                  <Link href={`/connections/${connection.id}`} className={link}>
                    {connection.libraryName}
                  </Link>
                  <span className="block text-slate-600">Library {connection.libraryId}</span>
                  <div className="mt-1.5">
                    <DriftWarning drift={state.drift} connected={connection} />
                  </div>
                </th>
                {showOrganization && (
                  <td className="px-3 py-3">
                    <Link href={connectionsHref(connection.organizationId, {})} className={link}>
                      {connection.organizationName}
                    </Link>
                  </td>
                )}
                <td className="px-3 py-3">
                  <StatusBadge status={state.status} />
                </td>
                <td className="px-3 py-3">
                  {connection.approvedBy ? (
                    <>
                      <span className="block font-medium text-slate-900">
                        {connection.approvedBy.name ?? connection.approvedBy.email}
                      </span>
                      {connection.approvedBy.name && connection.approvedBy.email && (
                        <span className="block break-words text-slate-600">
                          <Email address={connection.approvedBy.email} />
                        </span>
                      )}
                    </>
                  ) : (
                    <span className="text-slate-600">Unknown</span>
                  )}
                  <span className="mt-1 block text-xs text-slate-500">via {connection.application.name}</span>
                </td>
                <td className="px-3 py-3">
                  <ScopeChips scopes={connection.scopes} label={`Scopes of ${connection.libraryName}`} />
                </td>
                <td className="px-3 py-3">
                  <div className="whitespace-nowrap">
                    <ExpiryCountdown token={state.token} />
                  </div>
                  <div className="mt-1 max-w-60">
                    <RefreshNote refresh={state.refresh} />
                  </div>
                </td>
                <td className="px-3 py-3 text-xs">
                  <span className="block">
                    <span className="font-medium text-slate-700">{REFRESH_TEXT.refreshed} </span>
                    <LiveDateTime value={connection.lastRefreshedAt} empty={REFRESH_TEXT.never} />
                  </span>
                  {(connection.status === "active" || connection.status === "refresh_failing") && (
                    <span className="mt-1 block">
                      <span className="font-medium text-slate-700">Next refresh </span>
                      <NextRefresh connection={connection} compact />
                    </span>
                  )}
                  <span className="mt-1 block">
                    <span className="font-medium text-slate-700">{VERIFICATION_TEXT.verified} </span>
                    <VerificationSummary
                      verification={state.verification}
                      tokensGone={state.token.kind === "deleted" || state.token.kind === "not_used"}
                    />
                  </span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Pagination({
  organizationId,
  filters,
  page,
  pageCount,
}: {
  organizationId: string | null;
  filters: ConnectionFilters;
  page: number;
  pageCount: number;
}) {
  if (pageCount <= 1) return null;
  const href = (target: number) => connectionsHref(organizationId, { ...filters, page: target });
  const item =
    "rounded-lg border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-900 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";
  const disabled = "rounded-lg border border-slate-200 px-3 py-1.5 text-slate-400";
  return (
    <nav aria-label="Pages of connections" className="flex flex-wrap items-center justify-between gap-3 text-sm">
      <p className="text-slate-700">
        Page {numberFormat.format(page)} of {numberFormat.format(pageCount)}
      </p>
      <ul className="flex items-center gap-2">
        <li>
          {page > 1 ? (
            <Link href={href(1)} className={item}>
              First
            </Link>
          ) : (
            <span aria-disabled="true" className={disabled}>
              First
            </span>
          )}
        </li>
        <li>
          {page > 1 ? (
            <Link href={href(page - 1)} rel="prev" className={item}>
              Previous
            </Link>
          ) : (
            <span aria-disabled="true" className={disabled}>
              Previous
            </span>
          )}
        </li>
        <li>
          {page < pageCount ? (
            <Link href={href(page + 1)} rel="next" className={item}>
              Next
            </Link>
          ) : (
            <span aria-disabled="true" className={disabled}>
              Next
            </span>
          )}
        </li>
        <li>
          {page < pageCount ? (
            <Link href={href(pageCount)} className={item}>
              Last
            </Link>
          ) : (
            <span aria-disabled="true" className={disabled}>
              Last
            </span>
          )}
        </li>
      </ul>
    </nav>
  );
}
