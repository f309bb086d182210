"use client";

import { lazy, Suspense } from "react";
import type { BulkJobView } from "@/lib/bulk-jobs/jobs";

// React's lazy, not next/dynamic: next/dynamic's own loader would cost the dashboard more than it saves.
const BulkJobProgress = lazy(() => import("./bulk-job-progress").then((m) => ({ default: m.BulkJobProgress })));

/**
 * BulkJobProgress in a chunk of its own, fetched only where a running job is shown: the dashboard's first-load
 * JavaScript (issue 15: at most 150 kB) does not carry the polling for the usual case of no job running. Until the
 * chunk is there, `children` stand in: the bar as the server rendered it (ProgressBar), which keeps its own code out
 * of the browser's first load too.
 */
export function LazyBulkJobProgress({ job, children }: { job: BulkJobView; children: React.ReactNode }) {
  return (
    <Suspense fallback={children}>
      <BulkJobProgress job={job} />
    </Suspense>
  );
}
