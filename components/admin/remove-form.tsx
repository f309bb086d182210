"use client";

import { useActionState, useRef } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import { ConfirmButton, type Confirmation } from "./confirm-dialog";
import type { FormAction } from "./form-action";

/** One "Remove" button posting the ids it removes; `label` says what, for screen readers. */
export function RemoveForm<Field extends string>({
  action,
  fields,
  label,
  text = "Remove",
  confirm,
}: {
  action: FormAction<Field>;
  fields: Record<Field, string>;
  label: string;
  text?: string;
  /** Removals that cannot be undone in one click ask first, in a dialog. */
  confirm?: Confirmation;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [state, formAction] = useActionState(
    async (previous: Awaited<ReturnType<FormAction<Field>>> | null, formData: FormData) => {
      const result = await action(previous, formData);
      dialog.current?.close();
      return result;
    },
    null,
  );
  if (confirm) {
    return (
      <div className="flex flex-col items-end gap-1">
        <ConfirmButton
          formAction={formAction}
          fields={fields}
          text={text}
          label={label}
          pendingLabel="Removing…"
          variant="danger"
          confirm={confirm}
          dialogRef={dialog}
        />
        {state && !state.ok && <FormMessage state={state} />}
      </div>
    );
  }
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
