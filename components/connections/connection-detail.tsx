"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { PageTitle } from "@/components/ui/page-title";
import { deriveConnectionState } from "@/lib/connections/status";
import { viewFacts, type ConnectionHistoryView } from "@/lib/connections/view";
import { handoutSummary, HISTORY_TEXT, historyLabel, historySummary } from "@/lib/messages/history";
import { REFRESH_TEXT, statusAdvice, VERIFICATION_TEXT } from "@/lib/messages/status";
import { formatAbsolute } from "@/lib/time";
import { ConnectionActions, type ConnectionActionFunctions } from "./connection-actions";
import { ExpiryCountdown, LiveDateTime, useMoment } from "./countdown";
import { DriftWarning } from "./drift-warning";
import { NextRefresh } from "./next-refresh";
import { connectionDetailQuery } from "./query-options";
import { useNow, useTimeZone } from "./now";
import { ScopeChips } from "./scope-chips";
import { RefreshNote, VerificationSummary } from "./state-parts";
import { StatusBadge } from "./status-badge";
import { CopyButton } from "@/components/ui/copy-button";
import { cx } from "@/components/ui/classes";
import { DataTable } from "@/components/ui/data-table";
import { FactRow } from "@/components/ui/fact";

export function ConnectionDetail({
  connectionId,
  historyPage,
  showHandouts = false,
  actions,
  origin,
}: {
  connectionId: string;
  historyPage: number;
  showHandouts?: boolean;
  actions: ConnectionActionFunctions;
  /** The portal's public origin, for the token API call and the page's link. */
  origin: string;
}) {
  const { data, error } = useQuery(connectionDetailQuery(connectionId, historyPage, showHandouts));
  const now = useNow();
  const timeZone = useTimeZone();
  if (!data) {
    return <p role="status">{error ? `This connection could not be loaded: ${error.message}` : "Loading…"}</p>;
  }
  const connection = data.connection;
  const state = deriveConnectionState(viewFacts(connection), now);
  const status = state.status;

  return (
    <div className="space-y-6">
      <div className="space-y-3">
        <div className="flex flex-wrap items-center gap-3">
          <PageTitle>{connection.libraryName}</PageTitle>
          <StatusBadge status={status} />
        </div>
        <p className="text-slate-700">
          Library {connection.libraryId} · connected to {connection.organizationName}
        </p>
        <p className="max-w-prose leading-7 text-slate-700">{statusAdvice(status, connection.lastRefreshError)}</p>
        <DriftWarning drift={state.drift} connected={connection} detailed />
        {error && (
          <p role="alert" className="text-sm font-medium text-red-700">
            Live updates paused: {error.message}
          </p>
        )}
      </div>

      <ConnectionActions connection={connection} status={status} can={state.can} actions={actions} />

      <section aria-labelledby="facts-title" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h2 id="facts-title" className="text-lg font-semibold text-slate-900">
          Connection
        </h2>
        <dl className="mt-4 divide-y divide-slate-100 text-sm">
          <Fact label="Status">
            <StatusBadge status={status} />
          </Fact>
          <Fact label="Access token expires">
            <ExpiryCountdown token={state.token} />
            <RefreshNote refresh={state.refresh} />
          </Fact>
          <Fact label="Scopes">
            <ScopeChips scopes={connection.scopes} />
          </Fact>
          <Fact label="Approved by">
            {connection.approvedBy ? (
              <>
                {connection.approvedBy.name ?? connection.approvedBy.email}
                {connection.approvedBy.name && connection.approvedBy.email && (
                  <span className="text-slate-600"> · {connection.approvedBy.email}</span>
                )}
              </>
            ) : (
              "Unknown"
            )}
          </Fact>
          <Fact label="Application">
            {connection.application.name}{" "}
            <span className="font-mono text-slate-600">({connection.application.clientId})</span>
          </Fact>
          <Fact label="Last refresh">
            <LiveDateTime value={connection.lastRefreshedAt} empty={REFRESH_TEXT.neverLong} />
          </Fact>
          <Fact label="Next automatic refresh">
            <NextRefresh connection={connection} />
          </Fact>
          <Fact label="Last verification">
            <VerificationSummary
              verification={state.verification}
              tokensGone={state.token.kind === "deleted" || state.token.kind === "not_used"}
              long
            />
            {state.verification &&
              !state.verification.stale &&
              connection.lastVerification?.active &&
              connection.lastVerification.expiresAt && (
                <span className="block text-slate-600">
                  {VERIFICATION_TEXT.apicbaseExpiry}:{" "}
                  {formatAbsolute(new Date(connection.lastVerification.expiresAt), timeZone)}
                </span>
              )}
            {state.verification?.library && (
              <span className="block text-slate-600">
                {VERIFICATION_TEXT.reachedLibrary}: {state.verification.library.name} ({state.verification.library.id})
              </span>
            )}
          </Fact>
          <Fact label="Connected">
            <LiveDateTime value={connection.createdAt} />
            {connection.createdBy && <span className="text-slate-600"> by {connection.createdBy}</span>}
          </Fact>
          {connection.revoked && (
            <Fact label={connection.status === "revoking" ? "Revoke requested" : "Revoked"}>
              <LiveDateTime value={connection.revoked.at} />
              {connection.revoked.by && <span className="block">By {connection.revoked.by}</span>}
              {connection.revoked.reason && (
                <span className="block text-slate-600">Why: {connection.revoked.reason}</span>
              )}
            </Fact>
          )}
          <Fact label="Library id">
            <span className="flex items-center gap-3">
              <span className="font-mono text-slate-700">{connection.libraryId}</span>
              <CopyButton text={String(connection.libraryId)} label="Copy" what="library id" />
            </span>
          </Fact>
          <Fact label="Connection id">
            <span className="flex items-center gap-3">
              <span className="min-w-0 font-mono break-all text-slate-700">{connection.id}</span>
              <CopyButton text={connection.id} label="Copy" what="connection id" />
            </span>
          </Fact>
        </dl>
      </section>

      <TokenApiCall connectionId={connection.id} origin={origin} />

      <History connectionId={connection.id} history={data.history} />
    </div>
  );
}

/**
 * The token API call for this connection, to paste into a terminal: the API key stays a placeholder
 * ($PORTAL_API_KEY), never a real secret (the portal keeps only keys' hashes anyway).
 */
function TokenApiCall({ connectionId, origin }: { connectionId: string; origin: string }) {
  const curl =
    `curl -s -H "Authorization: Bearer $PORTAL_API_KEY" \\\n  ` +
    `"${origin}/api/v1/connections/${connectionId}/access-token"`;
  const pageLink = `${origin}/connections/${connectionId}`;
  return (
    <section aria-labelledby="token-api-title" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="token-api-title" className="text-lg font-semibold text-slate-900">
          Use it from your backend
        </h2>
        <div className="flex flex-wrap gap-2">
          <CopyButton text={curl} label="Copy as curl" what="curl command" />
          <CopyButton text={pageLink} label="Copy link" what="link to this page" />
        </div>
      </div>
      <p className="mt-1 max-w-prose text-sm leading-6 text-slate-700">
        Your backend fetches a valid access token for this connection from the portal&apos;s token API with an
        organization API key (
        <Link href="/api-keys" className="font-medium text-sky-800 underline underline-offset-2">
          API keys
        </Link>
        ). Set <code className="font-mono">PORTAL_API_KEY</code> to your key first.
      </p>
      <pre
        className={cx(
          "mt-3 overflow-x-auto rounded-lg bg-slate-900 p-4 font-mono",
          "text-xs leading-5 whitespace-pre-wrap break-all text-slate-100",
        )}
      >
        {curl}
      </pre>
    </section>
  );
}

function Fact(props: { label: string; children: React.ReactNode }) {
  return <FactRow layout="grid gap-1 py-3 sm:grid-cols-[12rem_1fr] sm:gap-4" {...props} />;
}

function History({ connectionId, history }: { connectionId: string; history: ConnectionHistoryView }) {
  const timeZone = useTimeZone();
  const moment = useMoment("past");
  const cell = "px-3 py-2.5 align-top";
  const pageLink =
    "rounded-lg border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-900 hover:bg-slate-100 " +
    "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";
  const handoutsParam = history.showHandouts ? "&handouts=1" : "";
  const toggle = history.showHandouts ? `/connections/${connectionId}` : `/connections/${connectionId}?handouts=1`;
  return (
    <section aria-labelledby="history-title" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="history-title" className="text-lg font-semibold text-slate-900">
        History
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        {history.showHandouts ? HISTORY_TEXT.introWithHandouts : HISTORY_TEXT.intro}
      </p>

      <div role="group" aria-labelledby="handouts-title" className="mt-4 rounded-lg bg-slate-50 px-4 py-3 text-sm">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h3 id="handouts-title" className="font-semibold text-slate-900">
            {HISTORY_TEXT.handoutsTitle}
          </h3>
          {history.handouts.length > 0 && (
            <Link href={toggle} className="font-medium text-sky-800 underline-offset-2 hover:underline">
              {history.showHandouts ? HISTORY_TEXT.hideHandouts : HISTORY_TEXT.showHandouts}
            </Link>
          )}
        </div>
        {history.handouts.length === 0 ? (
          <p className="mt-1 text-slate-700">{HISTORY_TEXT.noHandouts}</p>
        ) : (
          <ul className="mt-1 space-y-1 text-slate-700">
            {history.handouts.map((group) => (
              <li key={`${group.keyName}-${group.actor}`} data-handouts={group.count}>
                {handoutSummary({
                  count: group.count,
                  key: HISTORY_TEXT.key(group.keyName, group.actor),
                  first: moment(new Date(group.first))!,
                  last: moment(new Date(group.last))!,
                })}
              </li>
            ))}
          </ul>
        )}
      </div>

      {history.events.length === 0 ? (
        <p className="mt-4 text-sm text-slate-700">{HISTORY_TEXT.empty}</p>
      ) : (
        <>
          {/* Narrow screens: each event as a block, every part readable without sideways scrolling. */}
          <ol aria-label="History" className="mt-4 divide-y divide-slate-100 text-sm md:hidden">
            {history.events.map((entry) => (
              <li key={entry.id} className="py-3" data-history-event={entry.event}>
                <span
                  className={`block font-medium ${entry.outcome === "failure" ? "text-red-700" : "text-slate-900"}`}
                >
                  {historyLabel(entry)}
                  {entry.outcome === "failure" && <span className="sr-only"> (failed)</span>}
                </span>
                <span className="block text-slate-600">
                  <LiveDateTime value={entry.occurredAt} />
                </span>
                <span className="block break-words text-slate-700">By {entry.actor}</span>
                {historySummary(entry, (date) => formatAbsolute(date, timeZone)) && (
                  <span className="mt-1 block break-words text-slate-700">
                    {historySummary(entry, (date) => formatAbsolute(date, timeZone))}
                  </span>
                )}
              </li>
            ))}
          </ol>
          <DataTable
            frame="mt-4 hidden overflow-x-auto md:block"
            label="History table"
            caption="History of this connection, newest first"
            cell={cell}
            columns={["When", "Event", "By", "Details"]}
          >
            <tbody className="divide-y divide-slate-100">
              {history.events.map((entry) => (
                <tr key={entry.id}>
                  <td className={`${cell} whitespace-nowrap`}>
                    <LiveDateTime value={entry.occurredAt} />
                  </td>
                  <td className={cell}>
                    <span className={`font-medium ${entry.outcome === "failure" ? "text-red-700" : "text-slate-900"}`}>
                      {historyLabel(entry)}
                    </span>
                    {entry.outcome === "failure" && <span className="sr-only"> (failed)</span>}
                  </td>
                  <td className={`${cell} break-words text-slate-700`}>{entry.actor}</td>
                  <td className={`${cell} text-slate-700`}>
                    {historySummary(entry, (date) => formatAbsolute(date, timeZone))}
                  </td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        </>
      )}
      {history.pageCount > 1 && (
        <nav aria-label="Pages of history" className="mt-4 flex flex-wrap items-center justify-between gap-3 text-sm">
          <p className="text-slate-700">
            Page {history.page} of {history.pageCount} ({history.total} events)
          </p>
          <div className="flex gap-2">
            {history.page > 1 && (
              <Link
                href={`/connections/${connectionId}?history=${history.page - 1}${handoutsParam}`}
                className={pageLink}
              >
                Newer
              </Link>
            )}
            {history.page < history.pageCount && (
              <Link
                href={`/connections/${connectionId}?history=${history.page + 1}${handoutsParam}`}
                className={pageLink}
              >
                Older
              </Link>
            )}
          </div>
        </nav>
      )}
    </section>
  );
}
