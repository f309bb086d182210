"use client";

import { useActionState } from "react";
import { fieldError, typedValue, type FormAction } from "@/components/admin/form-action";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import { TextField } from "@/components/ui/text-field";
import { cx, INPUT_FOCUS } from "@/components/ui/classes";

type Field = "applicationId" | "accessToken" | "refreshToken";
type Application = { id: string; name: string };

/** The pasted tokens: password fields that no password manager fills or spell checker reads. */
const TOKEN_FIELDS = [
  {
    name: "accessToken",
    id: "import-access-token",
    label: "Access token",
    hint: "As Apicbase showed it; spaces around it and a leading “Bearer” are fine.",
  },
  {
    name: "refreshToken",
    id: "import-refresh-token",
    label: "Refresh token",
    hint: "Generated together with the access token. The portal needs it to keep the connection alive after 7 days.",
  },
] as const;

/**
 * Step 1 of a token import. The token fields are write-only: after a submission they are empty again, whatever
 * happened, because the portal never sends a token back to the browser.
 */
export function TokenImportForm({
  action,
  organizationId,
  applications,
}: {
  action: FormAction<Field>;
  organizationId: string;
  applications: Application[];
}) {
  const [state, formAction] = useActionState(action, null);
  const applicationError = fieldError(state, "applicationId");
  const chosen = typedValue(state, "applicationId") ?? applications[0]?.id;

  return (
    <form action={formAction} className="space-y-5" noValidate>
      <input type="hidden" name="organizationId" value={organizationId} />
      <div className="max-w-xl">
        <label htmlFor="import-application" className="block text-sm font-medium text-slate-800">
          Application that issued the tokens
        </label>
        <p id="import-application-hint" className="mt-0.5 text-sm text-slate-600">
          The application the library owner chose when generating the tokens in Apicbase. Only it can refresh them.
        </p>
        <select
          // A new key after each answer, so the choice the server saw is the one shown.
          key={`${chosen}-${state ? "answered" : "new"}`}
          id="import-application"
          name="applicationId"
          defaultValue={chosen}
          aria-invalid={applicationError ? true : undefined}
          aria-describedby={["import-application-hint", applicationError ? "import-application-error" : ""]
            .filter(Boolean)
            .join(" ")}
          className={cx(
            "mt-1 block w-full rounded-lg border bg-white px-3 py-2 text-sm text-slate-900 shadow-xs",
            INPUT_FOCUS,
            applicationError ? "border-red-500" : "border-slate-300",
          )}
        >
          {applications.map((application) => (
            <option key={application.id} value={application.id}>
              {application.name}
            </option>
          ))}
        </select>
        {applicationError && (
          <p id="import-application-error" className="mt-1 text-sm font-medium text-red-700">
            {applicationError}
          </p>
        )}
      </div>
      {TOKEN_FIELDS.map((field) => (
        <TextField
          key={field.name}
          {...field}
          type="password"
          autoComplete="off"
          spellCheck={false}
          data-1p-ignore
          error={fieldError(state, field.name)}
          className="max-w-xl"
        />
      ))}
      {state && !state.ok && (
        <p className="max-w-xl text-sm text-slate-600">
          Paste the tokens again: the portal never sends a token back to the browser.
        </p>
      )}
      <div className="flex flex-wrap items-center gap-4">
        <SubmitButton pendingLabel="Asking Apicbase…">Check with Apicbase</SubmitButton>
      </div>
      <FormMessage state={state} />
    </form>
  );
}
