import type { Metadata } from "next";
import Link from "next/link";
import { DateTime } from "@/components/date-time";
import { StatusBadge } from "@/components/connections/status-badge";
import { RECENTLY_REVOKED_DAYS } from "@/lib/connections/overview";
import { DISPLAY_STATUSES, type DisplayStatus } from "@/lib/connections/status";
import { connectionsHref } from "@/lib/connections/view";
import { attentionOverview } from "@/lib/dal/connection-queries";
import { HealthPanel } from "@/components/health/health-panel";
import { portalHealth } from "@/lib/dal/health";
import { requireAdmin } from "@/lib/dal/session";
import { PageHeader, PageSection } from "@/components/ui/page-title";
import { cx, FOCUS_RING } from "@/components/ui/classes";
import { DataTable, TABLE_CARD } from "@/components/ui/data-table";
import { LibraryCell } from "@/components/connections/library-cell";

export const metadata: Metadata = { title: "Admin overview" };

const numberFormat = new Intl.NumberFormat("en");
const link =
  "rounded font-semibold text-sky-800 underline-offset-2 hover:text-sky-950 hover:underline " +
  "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";

type Attention = { key: string; title: string; count: number; href: string; what: string; tone: string };

/** The admin area's landing page: what needs attention across every organization, with links into the lists. */
export default async function AdminOverviewPage() {
  const admin = await requireAdmin();
  const now = new Date();
  const [overview, health] = await Promise.all([attentionOverview(admin, now), portalHealth(admin, now)]);
  const { counts } = overview;

  const attention: Attention[] = [
    {
      key: "refresh_failing",
      title: "Refresh failing",
      count: counts.refresh_failing,
      href: connectionsHref(null, { status: "refresh_failing" }),
      what:
        "Apicbase did not answer a refresh (down, slow or throttling). The portal retries; the current token keeps " +
        "working until it expires.",
      tone: "border-orange-300 bg-orange-50",
    },
    {
      key: "needs_reauthorization",
      title: "Needs re-authorization",
      count: counts.needs_reauthorization,
      href: connectionsHref(null, { status: "needs_reauthorization" }),
      what:
        "Apicbase no longer accepts the tokens. Open the connection and re-authorize it, or send its library owner a " +
        "re-authorization link.",
      tone: "border-red-300 bg-red-50",
    },
    {
      key: "drift",
      title: "Library drift",
      count: overview.drift,
      href: connectionsHref(null, { drift: true }),
      what:
        "The approving user switched their active library in Apicbase: the token now reaches another library than " +
        "the connected one.",
      tone: "border-amber-300 bg-amber-50",
    },
    {
      key: "revoked",
      title: `Revoked in the last ${RECENTLY_REVOKED_DAYS} days`,
      count: overview.recentlyRevoked.total,
      href: connectionsHref(null, { status: "revoked" }),
      what:
        "Revoked by a partner or an admin; each can be re-authorized. " +
        "The latest are listed below with who and why.",
      tone: "border-slate-300 bg-slate-50",
    },
  ];
  const needsAttention = attention.slice(0, 3).some((item) => item.count > 0);

  return (
    <div className="space-y-10">
      <PageHeader context="Admin" title="Overview">
        {overview.total === 0 ? (
          <>
            No organization has connected a library yet. Create organizations and add their members under{" "}
            <Link href="/admin/organizations" className={link}>
              Organizations
            </Link>
            ; partners then connect libraries from their dashboard.
          </>
        ) : (
          <>
            {numberFormat.format(overview.total)} {overview.total === 1 ? "connection" : "connections"} across every
            organization.{" "}
            {needsAttention
              ? "The ones that need attention are counted below; each count opens the filtered list."
              : "Nothing needs attention right now."}{" "}
            <Link href="/admin/connections" className={link}>
              See all connections
            </Link>
            .
          </>
        )}
      </PageHeader>

      <PageSection id="attention-title" title="Needs attention">
        <ul className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
          {attention.map((item) => (
            <li
              key={item.key}
              className={`rounded-xl border p-5 shadow-sm ${item.count > 0 ? item.tone : "border-slate-200 bg-white"}`}
            >
              <Link href={item.href} className={`${link} text-base`} aria-describedby={`attention-${item.key}`}>
                {item.title}
              </Link>
              <p className="mt-2 text-3xl font-bold text-slate-900" data-testid={`attention-${item.key}`}>
                {numberFormat.format(item.count)}
                <span className="sr-only"> {item.count === 1 ? "connection" : "connections"}</span>
              </p>
              <p id={`attention-${item.key}`} className="mt-2 text-sm leading-6 text-slate-700">
                {item.count === 0 ? "None right now. " : ""}
                {item.what}
              </p>
            </li>
          ))}
        </ul>
      </PageSection>

      <PageSection id="status-title" title="Every connection by status">
        <ul className="flex flex-wrap gap-3">
          {DISPLAY_STATUSES.map((status: DisplayStatus) => (
            <li key={status}>
              <Link
                href={connectionsHref(null, { status })}
                className={cx(
                  "flex items-center gap-2 rounded-lg border border-slate-200",
                  "bg-white px-3 py-2 text-sm shadow-sm hover:bg-slate-50",
                  FOCUS_RING,
                )}
              >
                <StatusBadge status={status} />
                <span className="font-semibold text-slate-900">{numberFormat.format(counts[status])}</span>
              </Link>
            </li>
          ))}
        </ul>
      </PageSection>

      <PageSection id="revoked-title" title={<>Revoked in the last {RECENTLY_REVOKED_DAYS} days</>}>
        {overview.recentlyRevoked.latest.length === 0 ? (
          <p className="text-slate-700">No connection was revoked in the last {RECENTLY_REVOKED_DAYS} days.</p>
        ) : (
          <DataTable
            frame={TABLE_CARD}
            label="Recently revoked connections"
            caption={<>Connections revoked in the last {RECENTLY_REVOKED_DAYS} days, newest first</>}
            cell="px-3 py-2.5"
            columns={["Library", "Organization", "Revoked", "By", "Reason"]}
          >
            <tbody className="divide-y divide-slate-100">
              {overview.recentlyRevoked.latest.map((row) => (
                <tr key={row.id} className="align-top">
                  <LibraryCell connectionId={row.id} libraryName={row.libraryName} libraryId={row.libraryId} />
                  <td className="px-3 py-3">{row.organizationName}</td>
                  <td className="px-3 py-3">
                    <DateTime date={new Date(row.revokedAt)} now={now} />
                  </td>
                  <td className="px-3 py-3">{row.revokedBy ?? "The portal"}</td>
                  <td className="px-3 py-3 text-slate-800">{row.reason ?? "No reason recorded"}</td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        )}
      </PageSection>

      <HealthPanel
        health={health}
        title="Health over the last 30 days, every organization"
        needsReauthorizationHref={connectionsHref(null, { status: "needs_reauthorization" })}
      />
    </div>
  );
}
