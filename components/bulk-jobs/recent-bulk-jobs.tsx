import Link from "next/link";
import { DateTime } from "@/components/date-time";
import type { BulkJobView } from "@/lib/bulk-jobs/jobs";
import { bulkJobTitle } from "@/lib/messages/bulk-jobs";
import { LazyBulkJobProgress } from "./lazy-bulk-job-progress";
import { ProgressBar } from "./progress-bar";
import { INLINE_LINK } from "@/components/ui/classes";

/**
 * The latest bulk jobs of the list's organization (or the admins' jobs over every organization), with progress. Only
 * a running job's bar is polled: its browser code loads with it, not with every dashboard.
 */
export function RecentBulkJobs({ jobs, now }: { jobs: BulkJobView[]; now: Date }) {
  if (jobs.length === 0) return null;
  return (
    <section aria-labelledby="recent-bulk-jobs" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id="recent-bulk-jobs" className="text-base font-semibold text-slate-900">
        Recent bulk actions
      </h2>
      <ul className="mt-3 divide-y divide-slate-100">
        {jobs.map((job) => (
          <li key={job.id} className="grid gap-2 py-3 sm:grid-cols-[minmax(0,1fr)_minmax(0,1.2fr)] sm:gap-6">
            <div className="text-sm">
              <Link href={`/connections/jobs/${job.id}`} className={INLINE_LINK}>
                {bulkJobTitle(job.action, job.total)}
              </Link>
              <p className="text-slate-600">
                by {job.createdBy}, <DateTime date={new Date(job.createdAt)} now={now} />
              </p>
            </div>
            {job.status === "running" ? (
              <LazyBulkJobProgress job={job}>
                <ProgressBar job={job} />
              </LazyBulkJobProgress>
            ) : (
              <ProgressBar job={job} />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
