"use client";

import { ButtonForm } from "./button-form";
import type { Confirmation } from "./confirm-dialog";
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
  return (
    <ButtonForm
      action={action}
      fields={fields}
      text={text}
      pendingLabel="Removing…"
      label={label}
      variant="danger"
      announceSuccess={false}
      confirm={confirm}
      align="end"
    />
  );
}
