import type { BulkJobView } from "@/lib/bulk-jobs/jobs";
import { BULK_JOB_STATUS_LABELS } from "@/lib/messages/bulk-jobs";
import { cx } from "@/components/ui/classes";

const numberFormat = new Intl.NumberFormat("en");

/** How far a job got, as a sentence: "12 of 40 done, 1 failed, 2 skipped". */
export function progressText(job: BulkJobView): string {
  const { done, failed, skipped, cancelled } = job.progress;
  const finished = done + failed + skipped + cancelled;
  const parts = [`${numberFormat.format(finished - cancelled)} of ${numberFormat.format(job.total)} processed`];
  if (done) parts.push(`${numberFormat.format(done)} done`);
  if (failed) parts.push(`${numberFormat.format(failed)} failed`);
  if (skipped) parts.push(`${numberFormat.format(skipped)} skipped`);
  if (cancelled) parts.push(`${numberFormat.format(cancelled)} not done (cancelled)`);
  return parts.join(", ");
}

/**
 * A job's progress bar as it stands. No state of its own: the server renders it for a finished job, and
 * BulkJobProgress (the browser's copy, loaded only for a running job) renders it again as polls come in.
 */
export function ProgressBar({ job, error = null }: { job: BulkJobView; error?: string | null }) {
  const { done, failed, skipped, cancelled } = job.progress;
  const processed = done + failed + skipped;
  const share = job.total === 0 ? 100 : Math.round(((processed + cancelled) / job.total) * 100);
  return (
    <div className="space-y-1.5">
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <p className="font-medium text-slate-900" data-job-status={job.status}>
          {BULK_JOB_STATUS_LABELS[job.status]}
        </p>
        <p className="text-slate-700" aria-live="polite">
          {progressText(job)}
        </p>
      </div>
      <div
        role="progressbar"
        aria-label={`Progress of the job: ${progressText(job)}`}
        aria-valuemin={0}
        aria-valuemax={job.total}
        aria-valuenow={processed + cancelled}
        className="h-2.5 overflow-hidden rounded-full bg-slate-200"
      >
        <div
          className={cx(
            "h-full rounded-full",
            failed > 0 ? "bg-amber-600" : job.status === "cancelled" ? "bg-slate-500" : "bg-sky-700",
          )}
          style={{ width: `${share}%` }}
        />
      </div>
      {error && (
        <p role="alert" className="text-sm text-red-700">
          Progress updates paused: {error}
        </p>
      )}
    </div>
  );
}
