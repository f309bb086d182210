import { HydrationBoundary, dehydrate } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Banner } from "@/components/connections/banner";
import { QueryProvider } from "@/components/query-provider";
import { AuthorizationLinkForm } from "@/components/links/authorization-link-form";
import { ConnectionDetail } from "@/components/connections/connection-detail";
import { NowProvider } from "@/components/connections/now";
import { isConnectErrorKey, isConnectNoticeKey } from "@/lib/connections/notices";
import { CONNECT_ERRORS, CONNECT_NOTICES } from "@/lib/messages/connect";
import { connectionsHref, parseHistoryPage, parseShowHandouts } from "@/lib/connections/view";
import { getConnectionWithHistory } from "@/lib/dal/connection-queries";
import { ConnectionTimeline } from "@/components/health/health-panel";
import { timelineOf } from "@/lib/dal/health";
import { portalOrigin, reauthorizationRefusalMessage, sandboxResetMessageFor } from "@/lib/dal/connections";
import { requireUser } from "@/lib/dal/session";
import { makeQueryClient } from "@/lib/query-client";
import { queryKeys } from "@/lib/query-keys";
import { firstParam, type IdPageProps } from "@/lib/search-params";
import {
  disconnectConnectionAction,
  reauthorizeConnectionAction,
  refreshConnectionAction,
  verifyConnectionAction,
} from "../actions";
import { createReauthorizationLinkAction } from "../link-actions";
import { cx, FOCUS_RING } from "@/components/ui/classes";

export const metadata: Metadata = { title: "Connection" };

const actions = {
  refresh: refreshConnectionAction,
  verify: verifyConnectionAction,
  disconnect: disconnectConnectionAction,
  reauthorize: reauthorizeConnectionAction,
};

/** One connection: its state, the four actions and its history. Another organization's id is "not found". */
export default async function ConnectionPage({ params, searchParams }: IdPageProps) {
  const [{ id }, query] = await Promise.all([params, searchParams]);
  const user = await requireUser();
  const historyPage = parseHistoryPage(query.history);
  const showHandouts = parseShowHandouts(query.handouts);
  const now = new Date();
  const detail = await getConnectionWithHistory(user, id, historyPage, now, showHandouts);
  if (!detail) notFound();
  const { connection } = detail;
  const timeline = (await timelineOf(user, connection.organizationId, connection.id, now)) ?? [];

  const queryClient = makeQueryClient();
  queryClient.setQueryData(queryKeys.connections.detail(connection.id, historyPage, showHandouts), detail);

  const notice = firstParam(query.notice);
  const connectError = firstParam(query.connect_error);
  const here = `/connections/${connection.id}`;
  // A wrong-library approval is told with its facts: who approved, with which library active.
  const errorMessage =
    connectError === "library_mismatch" ? await reauthorizationRefusalMessage(user, connection.id) : null;
  // In the local sandbox, tokens it forgot in a reset are not "revoked": say what happened.
  const sandboxReset =
    connection.status === "needs_reauthorization" ? await sandboxResetMessageFor(user, connection.id) : null;

  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link
          href={connectionsHref(connection.organizationId, {})}
          className={cx("rounded font-medium text-sky-800 underline-offset-2 hover:underline", FOCUS_RING)}
        >
          ← Connections of {connection.organizationName}
        </Link>
      </nav>

      {isConnectNoticeKey(notice) && (
        <Banner tone="success" message={CONNECT_NOTICES[notice](connection.libraryName)} dismissHref={here} />
      )}
      {isConnectErrorKey(connectError) && (
        <Banner tone="error" message={errorMessage ?? CONNECT_ERRORS[connectError]} dismissHref={here} />
      )}

      {sandboxReset && (
        <section
          aria-label="Sandbox reset"
          className="rounded-xl border border-amber-300 bg-amber-50 px-4 py-3 text-sm leading-6 text-amber-950"
        >
          <p className="font-medium">{sandboxReset}</p>
        </section>
      )}

      {/* React Query keeps this page's data fresh (only this page: the list is rendered on the server). */}
      <QueryProvider>
        <HydrationBoundary state={dehydrate(queryClient)}>
          <NowProvider renderedAt={now.toISOString()}>
            <ConnectionDetail
              connectionId={connection.id}
              historyPage={historyPage}
              showHandouts={showHandouts}
              actions={actions}
              origin={await portalOrigin()}
            />
          </NowProvider>
        </HydrationBoundary>
      </QueryProvider>

      <ConnectionTimeline events={timeline} now={now} />

      <section aria-labelledby="link-title" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h2 id="link-title" className="text-lg font-semibold text-slate-900">
          Send a re-authorization link
        </h2>
        <p className="mt-1 text-sm leading-6 text-slate-600">
          When the library owner has to approve again and has no portal account: they open the link, log in at Apicbase
          with {connection.libraryName} as active library and approve. The tokens are replaced in place.
        </p>
        <div className="mt-4">
          {connection.application.redirectMode === "oob" ? (
            <p className="text-sm leading-6 text-slate-700">
              Not available for this connection: its application, {connection.application.name}, has no redirect URL.
              Use <strong>Re-authorize</strong> above: it shows the Apicbase link to send and a field for the code
              Apicbase shows after the approval.
            </p>
          ) : (
            <AuthorizationLinkForm
              kind="reauthorize"
              action={createReauthorizationLinkAction}
              hidden={{ connectionId: connection.id }}
            />
          )}
        </div>
      </section>
    </div>
  );
}
