"use client";

import { useActionState } from "react";
import { fieldError, typedValue } from "@/components/admin/form-action";
import { FormMessage } from "@/components/ui/form-message";
import { CheckboxGroup } from "@/components/ui/choice-group";
import { SubmitButton } from "@/components/ui/submit-button";
import { TextField } from "@/components/ui/text-field";
import type { CreateApiKeyResult } from "@/lib/api-keys/forms";
import { ShownOnce } from "@/components/ui/shown-once";

type CreateAction = (previous: CreateApiKeyResult | null, formData: FormData) => Promise<CreateApiKeyResult>;

/** Names a new key, what it may do and how long it works; shows the key once, with a copy button. */
const SCOPES = [
  { scope: "list", label: "List connections" },
  { scope: "token", label: "Fetch access tokens" },
  { scope: "proxy", label: "Call Apicbase through the portal (proxy)" },
] as const;

const LIFETIME_LABELS: Record<string, string> = {
  never: "Until revoked",
  "30": "30 days",
  "90": "90 days",
  "365": "1 year",
};

export function CreateApiKeyForm({ action, organizationId }: { action: CreateAction; organizationId: string }) {
  const [state, formAction] = useActionState(action, null);
  const typedScopes = typedValue(state, "scopes");
  const checked = new Set(typedScopes === undefined ? SCOPES.map((s) => s.scope) : typedScopes.split(" "));
  const scopesError = fieldError(state, "scopes");
  return (
    <div className="space-y-4">
      <form action={formAction} className="space-y-3" noValidate>
        <input type="hidden" name="organizationId" value={organizationId} />
        <div className="flex flex-wrap items-end gap-3">
          <TextField
            id="api-key-name"
            name="name"
            label="Key name"
            hint={
              "What uses it, e.g. “Nightly sales sync”. 2 to 80 characters. " +
              "It names the key in History and the audit log."
            }
            autoComplete="off"
            required
            maxLength={200}
            defaultValue={typedValue(state, "name")}
            error={fieldError(state, "name")}
            className="min-w-64 flex-1"
          />
          <div>
            <label htmlFor="api-key-expiry" className="block text-sm font-medium text-slate-800">
              Works for
            </label>
            <select
              id="api-key-expiry"
              name="expiresIn"
              defaultValue={typedValue(state, "expiresIn") ?? "never"}
              aria-invalid={fieldError(state, "expiresIn") ? true : undefined}
              className="mt-1 block rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900"
            >
              {Object.entries(LIFETIME_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <CheckboxGroup
          id="api-key-scopes"
          legend="The key may"
          hint="Give each backend only what it needs: a key that only lists connections cannot fetch a token."
          error={scopesError}
          layout="mt-2 flex flex-wrap gap-x-5 gap-y-2"
          name="scopes"
          boxes={SCOPES.map(({ scope, label }) => ({ value: scope, label, invalid: Boolean(scopesError) }))}
          checked={checked}
          boxLayout="flex items-center gap-2 text-sm text-slate-900"
        />
        <div className="flex flex-wrap items-center gap-3">
          <SubmitButton pendingLabel="Creating…">Create API key</SubmitButton>
        </div>
        <FormMessage state={state} />
      </form>
      {state?.ok && state.created && (
        <NewKey key={state.created.key} name={state.created.name} apiKey={state.created.key} />
      )}
    </div>
  );
}

function NewKey({ name, apiKey }: { name: string; apiKey: string }) {
  return (
    <ShownOnce
      titleId="new-api-key-title"
      title={<>The new key “{name}”: copy it now</>}
      inputId="new-api-key"
      inputLabel="New API key"
      value={apiKey}
    >
      <p className="text-sm text-amber-950">It is shown only this once. Keep it in your backend&apos;s secret store.</p>
    </ShownOnce>
  );
}
