"use client";

import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { CheckboxGroup, ChoiceGroup } from "@/components/ui/choice-group";
import { SubmitButton } from "@/components/ui/submit-button";
import { TextField } from "@/components/ui/text-field";
import { REDIRECT_MODE_LABELS, REQUIRED_SCOPES } from "@/lib/applications/forms";
import { ALL_SCOPES } from "@/lib/sandbox";
import { fieldError, typedValue, type FormAction } from "./form-action";

type Field = "name" | "clientId" | "clientSecret" | "redirectMode" | "scopes";

const REDIRECT_MODE_HINTS = {
  redirect:
    "Apicbase sends the browser back to the portal with the code. Register the portal's redirect URI with the " +
    "application at Apicbase.",
  oob: "The application has no redirect URL: Apicbase shows the code on a page and the user pastes it into the portal.",
} as const;

const DEFAULT_SCOPES = "accounts library";

/** Registers client credentials. The secret field is write-only: it is never filled in again, even after an error. */
export function RegisterApplicationForm({ action, redirectUri }: { action: FormAction<Field>; redirectUri: string }) {
  const [state, formAction] = useActionState(action, null);
  const failed = state !== null && !state.ok;
  const mode = typedValue(state, "redirectMode") ?? "redirect";
  const scopes = new Set((typedValue(state, "scopes") ?? DEFAULT_SCOPES).split(" "));
  const modeError = fieldError(state, "redirectMode");
  const scopesError = fieldError(state, "scopes");

  return (
    <form action={formAction} className="space-y-5" noValidate>
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          id="application-name"
          name="name"
          label="Name"
          hint="How admins and partners recognize it, e.g. “Lightspeed (EU)”."
          autoComplete="off"
          required
          maxLength={200}
          defaultValue={typedValue(state, "name")}
          error={fieldError(state, "name")}
        />
        <TextField
          id="application-client-id"
          name="clientId"
          label="Client id"
          hint="From the application's page at Apicbase; used exactly as typed."
          autoComplete="off"
          spellCheck={false}
          required
          defaultValue={typedValue(state, "clientId")}
          error={fieldError(state, "clientId")}
        />
      </div>
      <TextField
        id="application-client-secret"
        name="clientSecret"
        type="password"
        label="Client secret"
        hint={
          failed && !fieldError(state, "clientSecret")
            ? "Enter the secret again: the portal never sends a secret back to the browser."
            : "Stored encrypted. After saving it is never shown again; it can only be replaced."
        }
        autoComplete="new-password"
        spellCheck={false}
        required
        error={fieldError(state, "clientSecret")}
        className="max-w-xl"
      />

      <ChoiceGroup id="application-redirect-mode" legend="Redirect mode" error={modeError} layout="mt-2 space-y-2">
        {(["redirect", "oob"] as const).map((value) => (
          <label key={value} className="flex items-start gap-3 text-sm">
            <input
              type="radio"
              name="redirectMode"
              value={value}
              defaultChecked={mode === value}
              aria-describedby={`application-redirect-mode-${value}-hint`}
              className="mt-1 size-4 accent-slate-900"
            />
            <span>
              <span className="font-medium text-slate-900">{REDIRECT_MODE_LABELS[value]}</span>
              <span id={`application-redirect-mode-${value}-hint`} className="block text-slate-600">
                {REDIRECT_MODE_HINTS[value]}
                {value === "redirect" && (
                  <>
                    {" "}
                    <code className="rounded bg-slate-100 px-1 font-mono text-xs text-slate-800">{redirectUri}</code>
                  </>
                )}
              </span>
            </span>
          </label>
        ))}
      </ChoiceGroup>

      <CheckboxGroup
        id="application-scopes"
        legend="Requested scopes"
        hint={
          <>
            What the portal asks the library owner to approve. <strong className="font-semibold">accounts</strong> is
            required: the portal reads the approving user&apos;s active library with it, to know which library a
            connection reaches. Ask only for scopes the application may request at Apicbase.
          </>
        }
        error={scopesError}
        layout="mt-2 flex flex-wrap gap-x-5 gap-y-2"
        name="scopes"
        boxes={ALL_SCOPES.map((scope) => ({
          value: scope,
          label: REQUIRED_SCOPES.includes(scope) ? (
            <>
              {scope}
              <span className="font-sans text-xs text-slate-600">(required)</span>
            </>
          ) : (
            scope
          ),
          invalid: Boolean(scopesError) && REQUIRED_SCOPES.includes(scope),
        }))}
        checked={scopes}
        boxLayout="flex items-center gap-2 font-mono text-sm text-slate-900"
      />

      <div className="flex flex-wrap items-center gap-4">
        <SubmitButton pendingLabel="Registering…">Register application</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}
