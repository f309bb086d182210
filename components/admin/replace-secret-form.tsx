"use client";

import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import { TextField } from "@/components/ui/text-field";
import { fieldError, type FormAction } from "./form-action";

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
  const [state, formAction] = useActionState(action, null);
  const id = `replace-secret-${applicationId}`;
  return (
    <details className="group rounded-lg border border-slate-200 bg-slate-50 open:bg-white">
      <summary className="cursor-pointer rounded-lg px-3 py-1.5 text-sm font-medium text-slate-900 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600">
        Replace secret<span className="sr-only"> of {applicationName}</span>
      </summary>
      <form action={formAction} className="space-y-2 px-3 pt-1 pb-3" noValidate>
        <input type="hidden" name="applicationId" value={applicationId} />
        <div className="flex flex-wrap items-end gap-3">
          <TextField
            id={id}
            name="clientSecret"
            type="password"
            label={`New client secret for ${applicationName}`}
            hint="The old one stops being used at once. It is never shown again."
            autoComplete="new-password"
            spellCheck={false}
            required
            error={fieldError(state, "clientSecret")}
            className="min-w-64 flex-1"
          />
          <SubmitButton size="md" pendingLabel="Saving…">
            Save new secret
          </SubmitButton>
        </div>
        <FormMessage state={state} />
      </form>
    </details>
  );
}
