"use client";

import { useActionState, useState } from "react";
import { fieldError, typedValue } from "@/components/admin/form-action";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import { TextField } from "@/components/ui/text-field";
import type { CreateApiKeyResult } from "@/lib/api-keys/forms";

type CreateAction = (previous: CreateApiKeyResult | null, formData: FormData) => Promise<CreateApiKeyResult>;

/** Names a new key; shows the key once, with a copy button, right after it was created. */
export function CreateApiKeyForm({ action, organizationId }: { action: CreateAction; organizationId: string }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <div className="space-y-4">
      <form action={formAction} className="space-y-3" noValidate>
        <input type="hidden" name="organizationId" value={organizationId} />
        <div className="flex flex-wrap items-end gap-3">
          <TextField
            id="api-key-name"
            name="name"
            label="Key name"
            hint="What uses it, e.g. “Nightly sales sync”. 2 to 80 characters."
            autoComplete="off"
            required
            maxLength={200}
            defaultValue={typedValue(state, "name")}
            error={fieldError(state, "name")}
            className="min-w-64 flex-1"
          />
          <SubmitButton pendingLabel="Creating…">Create API key</SubmitButton>
        </div>
        <FormMessage state={state} />
      </form>
      {state?.ok && state.created && <NewKey key={state.created.key} name={state.created.name} apiKey={state.created.key} />}
    </div>
  );
}

function NewKey({ name, apiKey }: { name: string; apiKey: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div role="region" aria-labelledby="new-api-key-title" className="space-y-2 rounded-lg border border-amber-300 bg-amber-50 p-4">
      <h3 id="new-api-key-title" className="font-semibold text-amber-950">
        The new key “{name}”: copy it now
      </h3>
      <p className="text-sm text-amber-950">It is shown only this once. Keep it in your backend&apos;s secret store.</p>
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor="new-api-key" className="sr-only">
          New API key
        </label>
        <input
          id="new-api-key"
          readOnly
          value={apiKey}
          onFocus={(event) => event.currentTarget.select()}
          className="min-w-0 flex-1 rounded-md border border-amber-300 bg-white px-3 py-2 font-mono text-sm text-slate-900"
        />
        <Button
          variant="secondary"
          onClick={async () => {
            await navigator.clipboard.writeText(apiKey);
            setCopied(true);
          }}
        >
          {copied ? "Copied" : "Copy"}
        </Button>
      </div>
    </div>
  );
}
