"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { eventLabel, eventSummary } from "@/lib/connections/history";
import { connectionDetailQuery } from "@/lib/connections/query-options";
import { displayStatus, type DisplayStatus } from "@/lib/connections/status";
import type { ConnectionDetailView, ConnectionHistoryView } from "@/lib/connections/view";
import { formatAbsolute } from "@/lib/time";
import { ConnectionActions, type ConnectionActionFunctions } from "./connection-actions";
import { VerificationOutcome } from "./connections-list";
import { ExpiryCountdown, LiveDateTime } from "./countdown";
import { DriftWarning } from "./drift-warning";
import { NextRefresh } from "./next-refresh";
import { useNow } from "./now";
import { ScopeChips } from "./scope-chips";
import { StatusBadge } from "./status-badge";

/** What each state means for the partner, and what to do about it. */
function statusAdvice(status: DisplayStatus, connection: ConnectionDetailView): string {
  switch (status) {
    case "active":
      return "The access token is valid.";
    case "expiring_soon":
      return "The access token expires within a day. Refresh gets a new token pair.";
    case "expired_refreshable":
      return "The access token has expired, but the refresh token still works: Refresh gets a new token pair.";
    case "refresh_failing":
      return `The last refresh failed${connection.lastRefreshError ? ` (${connection.lastRefreshError})` : ""}. The current tokens may still work; try Refresh again, or Re-authorize if it keeps failing.`;
    case "needs_reauthorization":
      return "Apicbase no longer accepts this connection's tokens. Re-authorize it: the library's user approves again, and the connection keeps its id and history.";
    case "revoking":
      return "The connection is being disconnected: nothing uses its tokens any more, and the portal keeps asking Apicbase to revoke the grant.";
    case "revoked":
      return "This connection was disconnected: Apicbase was asked to revoke the grant and the portal deleted its tokens.";
  }
}

export function ConnectionDetail({
  connectionId,
  historyPage,
  actions,
}: {
  connectionId: string;
  historyPage: number;
  actions: ConnectionActionFunctions;
}) {
  const { data, error } = useQuery(connectionDetailQuery(connectionId, historyPage));
  const now = useNow();
  if (!data) {
    return <p role="status">{error ? `This connection could not be loaded: ${error.message}` : "Loading…"}</p>;
  }
  const connection = data.connection;
  const status = displayStatus(
    { status: connection.status, accessTokenExpiresAt: connection.accessTokenExpiresAt ? new Date(connection.accessTokenExpiresAt) : null },
    now,
  );

  return (
    <div className="space-y-6">
      <div className="space-y-3">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-3xl font-bold tracking-tight text-slate-900">{connection.libraryName}</h1>
          <StatusBadge status={status} />
        </div>
        <p className="text-slate-700">
          Library {connection.libraryId} · connected to {connection.organizationName}
        </p>
        <p className="max-w-prose leading-7 text-slate-700">{statusAdvice(status, connection)}</p>
        <DriftWarning connection={connection} detailed />
        {error && (
          <p role="alert" className="text-sm font-medium text-red-700">
            Live updates paused: {error.message}
          </p>
        )}
      </div>

      <ConnectionActions connection={connection} actions={actions} />

      <section aria-labelledby="facts-title" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h2 id="facts-title" className="text-lg font-semibold text-slate-900">
          Connection
        </h2>
        <dl className="mt-4 divide-y divide-slate-100 text-sm">
          <Fact label="Status">
            <StatusBadge status={status} />
          </Fact>
          <Fact label="Access token expires">
            {connection.status === "revoked" ? "Tokens deleted" : <ExpiryCountdown expiresAt={connection.accessTokenExpiresAt} />}
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
            {connection.application.name} <span className="font-mono text-slate-600">({connection.application.clientId})</span>
          </Fact>
          <Fact label="Last refresh">
            <LiveDateTime value={connection.lastRefreshedAt} empty="Never refreshed (tokens from the approval)" />
            {connection.lastRefreshError && (
              <span className="mt-1 block font-medium text-red-700">
                Last failure: {connection.lastRefreshError}
                {connection.refreshFailureCount > 1 && ` (${connection.refreshFailureCount} failures in a row)`}
              </span>
            )}
          </Fact>
          <Fact label="Next automatic refresh">
            <NextRefresh connection={connection} />
          </Fact>
          <Fact label="Last verification">
            {connection.lastVerification && connection.lastVerifiedAt ? (
              <>
                <VerificationOutcome active={connection.lastVerification.active} />
                {" · "}
                <LiveDateTime value={connection.lastVerifiedAt} />
                {connection.lastVerification.active && connection.lastVerification.expiresAt && (
                  <span className="block text-slate-600">
                    Apicbase&apos;s expiry: {formatAbsolute(new Date(connection.lastVerification.expiresAt))}
                  </span>
                )}
                {connection.lastVerification.library && (
                  <span className="block text-slate-600">
                    Reached library: {connection.lastVerification.library.name} ({connection.lastVerification.library.id})
                  </span>
                )}
              </>
            ) : (
              "Never verified"
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
              {connection.revoked.reason && <span className="block text-slate-600">Why: {connection.revoked.reason}</span>}
            </Fact>
          )}
          <Fact label="Connection id">
            <span className="font-mono break-all text-slate-700">{connection.id}</span>
          </Fact>
        </dl>
      </section>

      <History connectionId={connection.id} history={data.history} />
    </div>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid gap-1 py-3 sm:grid-cols-[12rem_1fr] sm:gap-4">
      <dt className="font-medium text-slate-600">{label}</dt>
      <dd className="text-slate-900">{children}</dd>
    </div>
  );
}

function History({ connectionId, history }: { connectionId: string; history: ConnectionHistoryView }) {
  const cell = "px-3 py-2.5 align-top";
  const pageLink =
    "rounded-lg border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-900 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";
  return (
    <section aria-labelledby="history-title" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="history-title" className="text-lg font-semibold text-slate-900">
        History
      </h2>
      <p className="mt-1 text-sm text-slate-600">Every token event of this connection, newest first. Never a token.</p>
      {history.events.length === 0 ? (
        <p className="mt-4 text-sm text-slate-700">Nothing happened to this connection yet.</p>
      ) : (
        <div className="mt-4 overflow-x-auto" tabIndex={0} role="region" aria-label="History table">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">History of this connection, newest first</caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase">
              <tr>
                <th scope="col" className={cell}>When</th>
                <th scope="col" className={cell}>Event</th>
                <th scope="col" className={cell}>By</th>
                <th scope="col" className={cell}>Details</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {history.events.map((entry) => (
                <tr key={entry.id}>
                  <td className={`${cell} whitespace-nowrap`}>
                    <LiveDateTime value={entry.occurredAt} />
                  </td>
                  <td className={cell}>
                    <span className={`font-medium ${entry.outcome === "failure" ? "text-red-700" : "text-slate-900"}`}>
                      {eventLabel(entry.event)}
                    </span>
                    {entry.outcome === "failure" && <span className="sr-only"> (failed)</span>}
                  </td>
                  <td className={`${cell} break-words text-slate-700`}>{entry.actor}</td>
                  <td className={`${cell} text-slate-700`}>{eventSummary(entry)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {history.pageCount > 1 && (
        <nav aria-label="Pages of history" className="mt-4 flex flex-wrap items-center justify-between gap-3 text-sm">
          <p className="text-slate-700">
            Page {history.page} of {history.pageCount} ({history.total} events)
          </p>
          <div className="flex gap-2">
            {history.page > 1 && (
              <Link href={`/connections/${connectionId}?history=${history.page - 1}`} className={pageLink}>
                Newer
              </Link>
            )}
            {history.page < history.pageCount && (
              <Link href={`/connections/${connectionId}?history=${history.page + 1}`} className={pageLink}>
                Older
              </Link>
            )}
          </div>
        </nav>
      )}
    </section>
  );
}
