"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { BulkJobView } from "@/lib/bulk-jobs/jobs";
import { ProgressBar } from "./progress-bar";

const POLL_MS = 1_500;

async function fetchProgress(jobId: string, signal: AbortSignal): Promise<BulkJobView> {
  const response = await fetch(`/api/portal/bulk-jobs/${encodeURIComponent(jobId)}`, {
    signal,
    headers: { accept: "application/json" },
    cache: "no-store",
  });
  if (!response.ok) throw new Error(`The portal answered ${response.status}.`);
  return (await response.json()) as BulkJobView;
}

/**
 * A job's progress bar, polled while the job runs (the job lives in the database, so a reload shows where it got).
 * With `refreshPage`, the server-rendered rest of the page (the connections' outcomes) follows as it moves on.
 */
export function BulkJobProgress({ job: initial, refreshPage = false }: { job: BulkJobView; refreshPage?: boolean }) {
  const router = useRouter();
  const { job, error } = usePolledProgress(initial);
  const { done, failed, skipped } = job.progress;
  const processed = done + failed + skipped;
  const seen = useRef({ processed, status: job.status });
  useEffect(() => {
    if (!refreshPage) return;
    if (seen.current.processed === processed && seen.current.status === job.status) return;
    seen.current = { processed, status: job.status };
    router.refresh();
  }, [refreshPage, processed, job.status, router]);
  return <ProgressBar job={job} error={error} />;
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
