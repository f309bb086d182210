import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { BulkJobProgress } from "@/components/bulk-jobs/bulk-job-progress";
import { CancelBulkJob } from "@/components/bulk-jobs/cancel-bulk-job";
import { DateTime } from "@/components/date-time";
import { connectionsHref, parseConnectionFilters } from "@/lib/connections/view";
import { bulkJobPage } from "@/lib/dal/bulk-jobs";
import { requireUser } from "@/lib/dal/session";
import {
  BULK_APPLIES_TO,
  BULK_ITEM_STATUS_LABELS,
  BULK_ITEM_STATUS_ORDER,
  LINK_STATE_TEXT,
  bulkJobTitle,
  bulkResultText,
  filtersText,
} from "@/lib/messages/bulk-jobs";
import { firstParam, type IdPageProps } from "@/lib/search-params";
import { formatAbsolute } from "@/lib/time";
import { cancelBulkJobAction } from "../../bulk-actions";
import { cx, INLINE_LINK } from "@/components/ui/classes";
import { DataTable, TABLE_CARD } from "@/components/ui/data-table";
import { PageHeader } from "@/components/ui/page-title";
import { CopyButton } from "@/components/ui/copy-button";
import { LibraryCell } from "@/components/connections/library-cell";

export const metadata: Metadata = { title: "Bulk action" };

const link = INLINE_LINK;
const th = "px-3 py-2.5 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase";

/**
 * One bulk job: what was asked, its progress (polled while it runs; the job lives in the database, so a reload or
 * another browser shows the same), a Cancel button while it runs, and what happened to each connection. For a
 * re-authorization links job, the person who started it sees the links to hand to the library owners.
 */
export default async function BulkJobPage({ params, searchParams }: IdPageProps) {
  const [{ id }, query] = await Promise.all([params, searchParams]);
  const user = await requireUser();
  const page = Number(firstParam(query.page)) || 1;
  const data = await bulkJobPage(user, id, page, firstParam(query.status) ?? null);
  if (!data) notFound();
  const { job } = data;
  const now = new Date();
  const links = job.action === "reauthorization_links";
  const listHref = connectionsHref(job.organizationId, {});
  const pageHref = (target: { page?: number; status?: string | null }) => {
    const search = new URLSearchParams();
    const status = target.status === undefined ? data.status : target.status;
    if (status) search.set("status", status);
    if (target.page && target.page > 1) search.set("page", String(target.page));
    const text = search.toString();
    return `/connections/jobs/${job.id}${text ? `?${text}` : ""}`;
  };
  const openLinks = data.items.some((item) => item.linkUrl);

  return (
    <div className="space-y-6">
      <PageHeader
        context={
          <>
            <Link href={listHref} className={link}>
              {job.organizationName ?? "All connections"}
            </Link>{" "}
            · Bulk action
          </>
        }
        title={bulkJobTitle(job.action, job.total)}
      >
        Started by {job.createdBy}, <DateTime date={new Date(job.createdAt)} now={now} />, on{" "}
        {job.selection === "selected"
          ? `${job.matched} selected ${job.matched === 1 ? "connection" : "connections"}`
          : `${filtersText(parseConnectionFilters(new URLSearchParams(job.filterQuery ?? "")))} (${job.matched})`}
        ; it applies to {BULK_APPLIES_TO[job.action]}.{job.reason && <> Reason: &ldquo;{job.reason}&rdquo;.</>}
        {job.cancelledBy && <> Cancelled by {job.cancelledBy}.</>}
      </PageHeader>

      <section aria-label="Progress" className="space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
        <BulkJobProgress job={job} refreshPage />
        {job.status === "running" && <CancelBulkJob jobId={job.id} action={cancelBulkJobAction} />}
      </section>

      {links && (
        <section
          aria-labelledby="owner-links"
          className="space-y-2 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
        >
          <h2 id="owner-links" className="text-base font-semibold text-slate-900">
            Links for the library owners
          </h2>
          {data.mine ? (
            <p className="max-w-prose text-sm leading-6 text-slate-700">
              Send each library&apos;s owner their link: it lets them approve at Apicbase without a portal account,
              works once, and lapses after 7 days or when a newer link is made for the connection.{" "}
              {openLinks || job.progress.done > 0 ? (
                <a href={`/connections/jobs/${job.id}/links`} download className={link}>
                  Download the working links as CSV
                </a>
              ) : null}
            </p>
          ) : (
            <p className="max-w-prose text-sm leading-6 text-slate-700">
              Only {job.createdBy}, who started this job, sees its links: each lets its holder approve for the
              organization.
            </p>
          )}
        </section>
      )}

      <section aria-labelledby="job-items" className="space-y-3">
        <div className="flex flex-wrap items-baseline justify-between gap-3">
          <h2 id="job-items" className="text-lg font-semibold text-slate-900">
            Connections
          </h2>
          <nav aria-label="Show connections by outcome" className="flex flex-wrap gap-3 text-sm">
            <Link
              href={pageHref({ status: null })}
              aria-current={data.status === null ? "page" : undefined}
              className={link}
            >
              All
            </Link>
            {BULK_ITEM_STATUS_ORDER.map((status) =>
              job.progress[status] > 0 ? (
                <Link
                  key={status}
                  href={pageHref({ status })}
                  aria-current={data.status === status ? "page" : undefined}
                  className={link}
                >
                  {BULK_ITEM_STATUS_LABELS[status]} ({job.progress[status]})
                </Link>
              ) : null,
            )}
          </nav>
        </div>
        {data.items.length === 0 ? (
          <p className="text-slate-700">No connection here.</p>
        ) : (
          <DataTable
            frame={TABLE_CARD}
            label="Outcome per connection"
            cell={th}
            head="bg-slate-50"
            columns={["Library", job.organizationId === null && "Organization", "Outcome", links && "Link"]}
          >
            <tbody className="divide-y divide-slate-100">
              {data.items.map((item) => (
                <tr key={item.id} className="align-top" data-item-status={item.status}>
                  <LibraryCell
                    connectionId={item.connectionId}
                    libraryName={item.libraryName}
                    libraryId={item.libraryId}
                  />
                  {job.organizationId === null && <td className="px-3 py-3">{item.organizationName}</td>}
                  <td className="px-3 py-3">
                    <span className="block font-medium text-slate-900">{bulkResultText(item.result, item.status)}</span>
                    {item.message && <span className="mt-1 block max-w-prose text-slate-600">{item.message}</span>}
                  </td>
                  {links && (
                    <td className="px-3 py-3">
                      {item.linkUrl ? (
                        <>
                          <span className="flex items-center gap-2">
                            <input
                              readOnly
                              value={item.linkUrl}
                              aria-label={`Re-authorization link for ${item.libraryName}`}
                              className={cx(
                                "block w-full min-w-72 rounded-lg border border-slate-300",
                                "bg-slate-50 px-2 py-1 font-mono text-xs text-slate-900",
                              )}
                            />
                            <CopyButton text={item.linkUrl} label="Copy" what={`link for ${item.libraryName}`} />
                          </span>
                          <span className="mt-1 block text-xs text-slate-600">
                            {LINK_STATE_TEXT.open} {formatAbsolute(new Date(item.link!.expiresAt))}
                          </span>
                        </>
                      ) : item.link ? (
                        <span className="text-slate-600">
                          {item.link.state === "open"
                            ? "Shown to the person who started the job"
                            : LINK_STATE_TEXT[item.link.state]}
                        </span>
                      ) : (
                        <span className="text-slate-600">None</span>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </DataTable>
        )}
        {data.pageCount > 1 && (
          <nav aria-label="Pages of the job's connections" className="flex items-center gap-3 text-sm">
            <span className="text-slate-700">
              Page {data.page} of {data.pageCount}
            </span>
            {data.page > 1 && (
              <Link href={pageHref({ page: data.page - 1 })} rel="prev" className={link}>
                Previous
              </Link>
            )}
            {data.page < data.pageCount && (
              <Link href={pageHref({ page: data.page + 1 })} rel="next" className={link}>
                Next
              </Link>
            )}
          </nav>
        )}
      </section>
    </div>
  );
}
