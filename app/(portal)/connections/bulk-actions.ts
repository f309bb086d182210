"use server";

import { cancelJob, startBulkJob, startBulkJobInput } from "@/lib/dal/bulk-jobs";
import { getCurrentUser } from "@/lib/dal/session";

export type BulkActionResult =
  | { ok: true; message: string; jobId?: string }
  | { ok: false; message: string; fieldErrors: { reason?: string; connectionIds?: string } };

const SIGNED_OUT: BulkActionResult = { ok: false, message: "Your session has ended. Sign in again.", fieldErrors: {} };

/** Starts a bulk action over the selected connections or every connection the list's filters match. */
export async function startBulkJobAction(
  _previous: BulkActionResult | null,
  formData: FormData,
): Promise<BulkActionResult> {
  const user = await getCurrentUser();
  if (!user) return SIGNED_OUT;
  const parsed = startBulkJobInput.safeParse({
    organizationId: formData.get("organizationId") ?? "",
    action: formData.get("action"),
    scope: formData.get("scope"),
    connectionIds: formData.getAll("connectionId"),
    filterQuery: formData.get("filterQuery") ?? "",
    reason: formData.get("reason") ?? undefined,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path[0] === "connectionIds" ? "connectionIds" : undefined;
    return {
      ok: false,
      message: `Nothing was started: ${issue?.message ?? "the form was incomplete."}`,
      fieldErrors: field ? { [field]: issue?.message } : {},
    };
  }
  const result = await startBulkJob(user, parsed.data);
  if (!result.ok) {
    return {
      ok: false,
      message: `Nothing was started: ${result.message}`,
      fieldErrors: result.field ? { [result.field]: result.message } : {},
    };
  }
  return {
    ok: true,
    jobId: result.jobId,
    message:
      result.total === 0
        ? `None of the ${result.matched} connections needs this: nothing to do.`
        : `Started on ${result.total} of ${result.matched} connections.`,
  };
}

/** Cancels a running bulk job: connections not started yet stay as they are. */
export async function cancelBulkJobAction(
  _previous: BulkActionResult | null,
  formData: FormData,
): Promise<BulkActionResult> {
  const user = await getCurrentUser();
  if (!user) return SIGNED_OUT;
  const outcome = await cancelJob(user, String(formData.get("jobId") ?? ""));
  if (outcome === "not_found")
    return { ok: false, message: "This job does not exist or belongs to another organization.", fieldErrors: {} };
  if (outcome === "not_running") return { ok: false, message: "This job has finished already.", fieldErrors: {} };
  return { ok: true, message: "Cancelled: connections not started yet stay as they are." };
}
