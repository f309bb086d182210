"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { BulkJobView } from "@/lib/bulk-jobs/jobs";
import { BULK_JOB_STATUS_LABELS } from "@/lib/messages/bulk-jobs";
import { cx } from "@/components/ui/classes";

const POLL_MS = 1_500;
const numberFormat = new Intl.NumberFormat("en");

async function fetchProgress(jobId: string, signal: AbortSignal): Promise<BulkJobView> {
  const response = await fetch(`/api/portal/bulk-jobs/${encodeURIComponent(jobId)}`, {
    signal,
    headers: { accept: "application/json" },
    cache: "no-store",
  });
  if (!response.ok) throw new Error(`The portal answered ${response.status}.`);
  return (await response.json()) as BulkJobView;
}

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
 * A job's progress bar, polled while the job runs (the job lives in the database, so a reload shows where it got).
 * With `refreshPage`, the server-rendered rest of the page (the connections' outcomes) follows as it moves on.
 */
export function BulkJobProgress({ job: initial, refreshPage = false }: { job: BulkJobView; refreshPage?: boolean }) {
  const router = useRouter();
  const { job, error } = usePolledProgress(initial);
  const { done, failed, skipped, cancelled } = job.progress;
  const processed = done + failed + skipped;
  const seen = useRef({ processed, status: job.status });
  useEffect(() => {
    if (!refreshPage) return;
    if (seen.current.processed === processed && seen.current.status === job.status) return;
    seen.current = { processed, status: job.status };
    router.refresh();
  }, [refreshPage, processed, job.status, router]);
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

/**
 * The job as the portal last reported it: polled every 1.5 s while it runs (no React Query: this sits on the
 * dashboard, whose first-load JavaScript stays small). A failed poll is shown and tried again at the next tick.
 */
function usePolledProgress(initial: BulkJobView): { job: BulkJobView; error: string | null } {
  const [state, setState] = useState<{ job: BulkJobView; error: string | null }>({ job: initial, error: null });
  const running = state.job.status === "running";
  useEffect(() => {
    if (!running) return;
    const controller = new AbortController();
    const timer = setInterval(() => {
      fetchProgress(initial.id, controller.signal).then(
        (job) => setState({ job, error: null }),
        (error: unknown) => {
          if (controller.signal.aborted) return;
          setState((previous) => ({ ...previous, error: error instanceof Error ? error.message : String(error) }));
        },
      );
    }, POLL_MS);
    return () => {
      clearInterval(timer);
      controller.abort();
    };
  }, [initial.id, running]);
  return state;
}
