"use client";

import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import { TextField } from "@/components/ui/text-field";
import { fieldError, typedValue, type FormAction } from "./form-action";

export function PromoteAdminForm({ action }: { action: FormAction<"email"> }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="space-y-2" noValidate>
      <div className="flex flex-wrap items-end gap-3">
        <TextField
          id="promote-admin-email"
          name="email"
          type="email"
          label="Make someone an admin"
          hint="The Apicbase e-mail of someone who has signed in to the portal at least once."
          autoComplete="off"
          required
          placeholder="name@company.com"
          defaultValue={typedValue(state, "email")}
          error={fieldError(state, "email")}
          className="min-w-64 flex-1"
        />
        <SubmitButton variant="secondary" pendingLabel="Saving…">
          Make admin
        </SubmitButton>
      </div>
      <FormMessage state={state} />
    </form>
  );
}
