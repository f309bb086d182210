"use server";

import { cancelBulkJobForm, startBulkJobForm } from "@/lib/bulk-jobs/forms";
import { action } from "@/lib/dal/actions";
import { cancelJob, startBulkJob } from "@/lib/dal/bulk-jobs";
import type { ActionResult } from "@/lib/forms";

export type BulkActionResult = ActionResult<"connectionIds" | "reason"> & { jobId?: string };

const NOT_YOURS = "You cannot act on this organization's connections. Nothing was started.";

/** Starts a bulk action over the ticked connections or every connection the list's filters match. */
export const startBulkJobAction = action(
  {
    name: "start_bulk_job",
    schema: startBulkJobForm,
    lists: ["connectionIds"],
    invalid: "Nothing was started: correct what the message under the buttons says.",
    notAllowed: NOT_YOURS,
  },
  async (ctx, input): Promise<BulkActionResult> => {
    const result = await startBulkJob(ctx.user, input);
    if (!result.ok) return ctx.refuse(NOT_YOURS, input.organizationId ? { organizationId: input.organizationId } : {});
    return {
      ok: true,
      jobId: result.jobId,
      message:
        result.total === 0
          ? `None of the ${result.matched} connections needs this: nothing to do.`
          : `Started on ${result.total} of ${result.matched} connections.`,
    };
  },
);

/** Cancels a running bulk job: connections not started yet stay as they are. */
export const cancelBulkJobAction = action(
  {
    name: "cancel_bulk_job",
    schema: cancelBulkJobForm,
    invalid: { message: "This job does not exist or belongs to another organization.", fieldErrors: false },
  },
  async (ctx, { jobId }): Promise<BulkActionResult> => {
    const outcome = await cancelJob(ctx.user, jobId);
    if (outcome === "not_found") return ctx.refuse("This job does not exist or belongs to another organization.");
    if (outcome === "not_running") return { ok: false, message: "This job has finished already.", fieldErrors: {} };
    return { ok: true, message: "Cancelled: connections not started yet stay as they are." };
  },
);
