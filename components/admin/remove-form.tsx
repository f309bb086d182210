"use client";

import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { FormAction } from "./form-action";

/** One "Remove" button posting the ids it removes; `label` says what, for screen readers. */
export function RemoveForm<Field extends string>({
  action,
  fields,
  label,
  text = "Remove",
}: {
  action: FormAction<Field>;
  fields: Record<Field, string>;
  label: string;
  text?: string;
}) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col items-end gap-1">
      {(Object.entries(fields) as [string, string][]).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <SubmitButton variant="danger" size="sm" pendingLabel="Removing…" aria-label={label}>
        {text}
      </SubmitButton>
      {state && !state.ok && <FormMessage state={state} />}
    </form>
  );
}
