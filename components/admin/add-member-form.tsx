"use client";

import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import { TextField } from "@/components/ui/text-field";
import { fieldError, typedValue, type FormAction } from "./form-action";

/** Adds a member by the e-mail they sign in to Apicbase with, whether or not they have signed in to the portal. */
export function AddMemberForm({
  action,
  organizationId,
  organizationName,
}: {
  action: FormAction<"organizationId" | "email">;
  organizationId: string;
  organizationName: string;
}) {
  const [state, formAction] = useActionState(action, null);
  const id = `add-member-${organizationId}`;
  return (
    <form action={formAction} className="space-y-2" noValidate>
      <input type="hidden" name="organizationId" value={organizationId} />
      <div className="flex flex-wrap items-end gap-3">
        <TextField
          id={id}
          name="email"
          type="email"
          label={`Add a member to ${organizationName}`}
          hint="Their Apicbase e-mail address. Someone who has not signed in yet joins at their first sign-in."
          autoComplete="off"
          required
          placeholder="name@company.com"
          defaultValue={typedValue(state, "email")}
          error={fieldError(state, "email")}
          className="min-w-64 flex-1"
        />
        <SubmitButton variant="secondary" pendingLabel="Adding…">
          Add member
        </SubmitButton>
      </div>
      <FormMessage state={state} />
    </form>
  );
}
