import Link from "next/link";
import { SelectBox, SelectCell, SelectHeaderCell, SelectPageBox } from "@/components/bulk-jobs/bulk-selection";
import { deriveConnectionState } from "@/lib/connections/status";
import {
  DEFAULT_DIRECTION,
  SORT_LABELS,
  connectionsHref,
  countText,
  isFiltered,
  viewFacts,
  type ConnectionFilters,
  type ConnectionListView,
  type ConnectionView,
  type SortKey,
} from "@/lib/connections/view";
import { REFRESH_TEXT, STATUS_LABELS, VERIFICATION_TEXT } from "@/lib/messages/status";
import { ExpiryCountdown, LiveDateTime } from "./countdown";
import { NextRefresh } from "./next-refresh";
import { DriftWarning } from "./drift-warning";
import { Email } from "./email";
import { AutoRefresh } from "./auto-refresh";
import { ScopeChips } from "./scope-chips";
import { RefreshNote, VerificationSummary } from "./state-parts";
import { StatusBadge } from "./status-badge";
import { EmptyState } from "@/components/ui/empty-state";
import { cx, FOCUS_RING } from "@/components/ui/classes";
import { PageNav, type PageLink } from "@/components/ui/page-links";
import { LibraryCell } from "./library-cell";

const link =
  "rounded font-semibold text-sky-800 underline-offset-2 hover:text-sky-950 hover:underline " +
  "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";

const numberFormat = new Intl.NumberFormat("en");

/** How often the list is rendered again (the background refresher, other members' actions). */
export const CONNECTIONS_REFRESH_MS = 15_000;

/**
 * The dashboard's list for the URL's search, filters, sort and page, rendered on the server (no data layer in the
 * browser: issue 15's first-load budget) and refreshed every 15 seconds. A table on wide screens, one card per
 * connection on narrow ones; the countdowns tick in the browser. A null organization lists every organization's
 * connections (the admin area), naming each one's organization.
 */
export function ConnectionsList({
  organizationId,
  data,
  now,
}: {
  organizationId: string | null;
  data: ConnectionListView;
  now: Date;
}) {
  const filters = data.filters;
  const filtered = isFiltered(filters);
  const first = data.firstPosition;
  const shown = data.connections.length;
  // "of 4 connections", or where the count stopped at its cap, "of more than 10,000 connections".
  const of = countText(data.total, data.totalCapped);

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <p role="status" className="text-slate-700">
          {data.total === 0
            ? filtered
              ? "No connection matches."
              : "No connections yet."
            : first !== null
              ? `Showing ${numberFormat.format(first)}–${numberFormat.format(first + shown - 1)} of ${of}${
                  filtered ? " matching" : ""
                }.`
              : `Showing the last ${shown} of ${of}${filtered ? " matching" : ""}.`}
        </p>
        {/* Not a live region: announcing every refresh would drown the page. */}
        <AutoRefresh intervalMs={CONNECTIONS_REFRESH_MS} />
      </div>

      {data.organizationTotal === 0 && organizationId === null ? (
        <EmptyState id="empty-title" title="No organization has connected a library yet">
          <p className="mx-auto mt-2 max-w-prose leading-7 text-slate-700">
            Partners connect libraries from their organization&apos;s dashboard. Create an organization and add its
            members under{" "}
            <Link href="/admin/organizations" className={link}>
              Organizations
            </Link>
            ; their connections appear here.
          </p>
        </EmptyState>
      ) : data.organizationTotal === 0 ? (
        <EmptyState id="empty-title" title="No library is connected yet">
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
        </EmptyState>
      ) : data.total === 0 ? (
        <EmptyState id="no-results-title" title="No connections match this search" compact>
          <p className="mx-auto mt-2 max-w-prose leading-7 text-slate-700">
            {data.organizationTotal === 1 && !data.organizationTotalCapped
              ? "The one connection does not have"
              : `None of the ${countText(data.organizationTotal ?? 0, data.organizationTotalCapped)} has`}
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
        </EmptyState>
      ) : (
        <>
          <ConnectionsTable
            connections={data.connections}
            showOrganization={organizationId === null}
            organizationId={organizationId}
            filters={data.filters}
            now={now}
          />
          <ConnectionCards connections={data.connections} showOrganization={organizationId === null} now={now} />
          <Pagination organizationId={organizationId} filters={filters} data={data} />
        </>
      )}
    </div>
  );
}

function ConnectionsTable({
  connections,
  showOrganization,
  organizationId,
  filters,
  now,
}: {
  connections: ConnectionView[];
  showOrganization: boolean;
  organizationId: string | null;
  filters: ConnectionFilters;
  now: Date;
}) {
  const th = "px-3 py-2.5 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase";
  const sort = filters.sort ?? "library";
  const dir = filters.dir ?? DEFAULT_DIRECTION[sort];
  /** A column header that sorts by it: a link (keyboard, new tab), its state in aria-sort. */
  const sortable = (key: SortKey, label: React.ReactNode) => {
    const current = sort === key;
    const next = current ? (dir === "asc" ? "desc" : "asc") : DEFAULT_DIRECTION[key];
    return (
      <th scope="col" className={th} aria-sort={current ? (dir === "asc" ? "ascending" : "descending") : "none"}>
        <Link
          href={connectionsHref(organizationId, { ...filters, sort: key, dir: next, cursor: null })}
          className={cx("group inline-flex items-center gap-1 rounded uppercase hover:text-slate-950", FOCUS_RING)}
        >
          {label}
          <span aria-hidden="true" className={current ? "text-slate-900" : "text-slate-300 group-hover:text-slate-500"}>
            {current ? (dir === "asc" ? "▲" : "▼") : "↕"}
          </span>
          <span className="sr-only">
            {current ? `, sorted ${dir === "asc" ? "ascending" : "descending"}` : ""}, sort{" "}
            {next === "asc" ? "ascending" : "descending"}
          </span>
        </Link>
      </th>
    );
  };
  return (
    // Wide screens only (narrow ones get cards). Focusable so keyboard users can scroll it sideways if needed.
    <div
      className="hidden overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm md:block"
      tabIndex={0}
      role="region"
      aria-label="Connections table"
    >
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">
          Connections, sorted by {SORT_LABELS[sort].toLowerCase()} ({dir === "asc" ? "ascending" : "descending"})
        </caption>
        <thead className="bg-slate-50">
          <tr>
            <SelectHeaderCell ids={connections.map((connection) => connection.id)} className={th} />
            {sortable("library", "Library")}
            {showOrganization && (
              <th scope="col" className={th}>
                Organization
              </th>
            )}
            {sortable("status", "Status")}
            {sortable("approved", "Approved by")}
            <th scope="col" className={th}>
              Scopes
            </th>
            {sortable("expiry", "Access token expires")}
            {sortable("refreshed", <>Refresh &amp; verification</>)}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {connections.map((connection) => {
            const state = deriveConnectionState(viewFacts(connection), now);
            return (
              <tr key={connection.id} className="align-top" data-connection={connection.id}>
                <SelectCell id={connection.id} label={connection.libraryName} />
                <LibraryCell
                  connectionId={connection.id}
                  libraryName={connection.libraryName}
                  libraryId={connection.libraryId}
                >
                  <div className="mt-1.5">
                    <DriftWarning drift={state.drift} connected={connection} />
                  </div>
                </LibraryCell>
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

/** Narrow screens: one card per connection with its library, status and expiry; no sideways scrolling. */
function ConnectionCards({
  connections,
  showOrganization,
  now,
}: {
  connections: ConnectionView[];
  showOrganization: boolean;
  now: Date;
}) {
  return (
    <div className="space-y-2 md:hidden">
      <SelectPageBox ids={connections.map((connection) => connection.id)} />
      <ul aria-label="Connections" className="space-y-3">
        {connections.map((connection) => {
          const state = deriveConnectionState(viewFacts(connection), now);
          return (
            <li
              key={connection.id}
              data-connection-card={connection.id}
              className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
            >
              <div className="flex items-start justify-between gap-3">
                <div className="flex min-w-0 items-start gap-3">
                  {/* The row's box, as in the table; a touch-sized target around it. */}
                  <span className="-m-2 flex p-2 pt-2.5">
                    <SelectBox id={connection.id} label={connection.libraryName} />
                  </span>
                  <div className="min-w-0">
                    <Link href={`/connections/${connection.id}`} className={`${link} break-words`}>
                      {connection.libraryName}
                    </Link>
                    <span className="block text-sm text-slate-600">
                      Library {connection.libraryId}
                      {showOrganization && <> · {connection.organizationName}</>}
                    </span>
                  </div>
                </div>
                <StatusBadge status={state.status} />
              </div>
              <div className="mt-3 border-t border-slate-100 pt-3">
                <span className="block text-xs font-semibold tracking-wide text-slate-600 uppercase">
                  Access token expires
                </span>
                <ExpiryCountdown token={state.token} />
              </div>
              <div className="mt-2">
                <DriftWarning drift={state.drift} connected={connection} />
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function Pagination({
  organizationId,
  filters,
  data,
}: {
  organizationId: string | null;
  filters: ConnectionFilters;
  data: ConnectionListView;
}) {
  if (data.isFirst && data.isLast) return null;
  const href = (cursor: string | null) => connectionsHref(organizationId, { ...filters, cursor });
  const pageCount = data.totalCapped ? null : Math.max(1, Math.ceil(data.total / data.pageSize));
  const page = data.firstPosition === null ? null : Math.ceil(data.firstPosition / data.pageSize);
  const links: PageLink[] = [
    { text: "First", href: href(null), enabled: !data.isFirst },
    { text: "Previous", href: href(data.previousCursor), enabled: !data.isFirst, rel: "prev" },
    { text: "Next", href: href(data.nextCursor), enabled: !data.isLast, rel: "next" },
    { text: "Last", href: href("last"), enabled: !data.isLast },
  ];
  const summary =
    page !== null && pageCount !== null
      ? `Page ${numberFormat.format(Math.min(page, pageCount))} of ${numberFormat.format(pageCount)}`
      : page !== null
        ? `Page ${numberFormat.format(page)}`
        : "Last page";
  return <PageNav label="Pages of connections" summary={summary} links={links} />;
}
