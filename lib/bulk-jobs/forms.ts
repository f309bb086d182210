import { z } from "zod";
import { revokeReason } from "@/lib/connections/revoke";
import { BULK_ACTIONS } from "@/lib/db/schema";
import { recordId } from "@/lib/forms";
import { BULK_FORM_TEXT } from "@/lib/messages/bulk-jobs";
import { MAX_SELECTED } from "./jobs";

/** The dashboard's bulk form: an action, on the ticked connections or on every match of the list's filters. */
export const startBulkJobForm = z
  .object({
    /** Empty: the admin list of every organization's connections. */
    organizationId: z.union([recordId, z.literal("")]),
    action: z.enum(BULK_ACTIONS, { error: BULK_FORM_TEXT.action }),
    scope: z.enum(["selected", "filter"], { error: BULK_FORM_TEXT.scope }),
    /** The ticked connections (hidden inputs sharing the name), joined by spaces by readFields. */
    connectionIds: z
      .string()
      .default("")
      .transform((value) => [...new Set(value.split(" ").filter(Boolean))])
      .pipe(z.array(recordId).max(MAX_SELECTED, BULK_FORM_TEXT.tooMany(MAX_SELECTED))),
    /** The list's query string (its filters); used when scope is "filter". */
    filterQuery: z.string().max(2_000).default(""),
    /** Revoke only: one reason for every connection. */
    reason: z.string().optional(),
  })
  .superRefine((input, ctx) => {
    if (input.scope === "selected" && input.connectionIds.length === 0)
      ctx.addIssue({ code: "custom", path: ["connectionIds"], message: BULK_FORM_TEXT.noneSelected });
    if (input.action === "revoke") {
      const reason = revokeReason.safeParse(input.reason ?? "");
      if (!reason.success) ctx.addIssue({ code: "custom", path: ["reason"], message: reason.error.issues[0]!.message });
    }
  });

export type StartBulkJobInput = z.output<typeof startBulkJobForm>;

export const cancelBulkJobForm = z.object({ jobId: recordId });
