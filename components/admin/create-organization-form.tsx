"use client";

import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import { TextField } from "@/components/ui/text-field";
import { fieldError, typedValue, type FormAction } from "./form-action";

export function CreateOrganizationForm({ action }: { action: FormAction<"name"> }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="space-y-3" noValidate>
      <div className="flex flex-wrap items-end gap-3">
        <TextField
          id="organization-name"
          name="name"
          label="Organization name"
          hint="The partner company, e.g. “Lightspeed POS”. 2 to 80 characters."
          autoComplete="organization"
          required
          maxLength={200}
          defaultValue={typedValue(state, "name")}
          error={fieldError(state, "name")}
          className="min-w-64 flex-1"
        />
        <SubmitButton pendingLabel="Creating…">Create organization</SubmitButton>
      </div>
      <FormMessage state={state} />
    </form>
  );
}
