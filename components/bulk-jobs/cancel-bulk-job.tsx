"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect } from "react";
import type { BulkActionResult } from "@/app/(portal)/connections/bulk-actions";
import { SubmitButton } from "@/components/ui/submit-button";

/** "Cancel job": connections not started yet stay as they are; the page then shows the job as cancelled. */
export function CancelBulkJob({
  jobId,
  action,
}: {
  jobId: string;
  action: (previous: BulkActionResult | null, formData: FormData) => Promise<BulkActionResult>;
}) {
  const router = useRouter();
  const [result, dispatch] = useActionState(action, null);
  useEffect(() => {
    if (result) router.refresh();
  }, [result, router]);
  return (
    <form action={dispatch} className="flex flex-wrap items-center gap-3">
      <input type="hidden" name="jobId" value={jobId} />
      <SubmitButton variant="danger" pendingLabel="Cancelling…">
        Cancel job
      </SubmitButton>
      <p role="status" className={`text-sm ${result && !result.ok ? "text-red-700" : "text-slate-700"}`}>
        {result?.message ?? ""}
      </p>
    </form>
  );
}
