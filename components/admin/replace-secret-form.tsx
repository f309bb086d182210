"use client";

import type { FormAction } from "./form-action";
import { OneFieldForm } from "./one-field-form";
import { cx, FOCUS_RING } from "@/components/ui/classes";

/** "Replace secret", folded away until needed. The field is write-only and empty after every submission. */
export function ReplaceSecretForm({
  action,
  applicationId,
  applicationName,
}: {
  action: FormAction<"applicationId" | "clientSecret">;
  applicationId: string;
  applicationName: string;
}) {
  return (
    <details className="group rounded-lg border border-slate-200 bg-slate-50 open:bg-white">
      <summary
        className={cx(
          "cursor-pointer rounded-lg px-3 py-1.5 text-sm font-medium text-slate-900 hover:bg-slate-100",
          FOCUS_RING,
        )}
      >
        Replace secret<span className="sr-only"> of {applicationName}</span>
      </summary>
      <OneFieldForm
        action={action}
        name="clientSecret"
        hidden={{ applicationId }}
        className="space-y-2 px-3 pt-1 pb-3"
        field={{
          id: `replace-secret-${applicationId}`,
          type: "password",
          label: `New client secret for ${applicationName}`,
          hint: "The old one stops being used at once. It is never shown again.",
          autoComplete: "new-password",
          spellCheck: false,
          required: true,
        }}
        submit={{ label: "Save new secret", pending: "Saving…" }}
      />
    </details>
  );
}
