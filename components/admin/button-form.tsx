"use client";

import { useActionState, useRef } from "react";
import type { ButtonVariant } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/forms";
import { useAnnounce } from "./announcer";
import { ConfirmButton, type Confirmation } from "./confirm-dialog";
import type { FormAction } from "./form-action";

/**
 * One button posting the ids it acts on. A failure is shown next to the button; a success is announced in the
 * page's live region (see Announcer), since the button may be gone once the page shows the change. `label` names
 * the button for screen readers when its visible text ("Disable") does not say what it acts on.
 */
export function ButtonForm<Field extends string>({
  action,
  fields,
  text,
  pendingLabel,
  label,
  variant = "secondary",
  announceSuccess = true,
  confirm,
  align = "start",
}: {
  action: FormAction<Field>;
  fields: Record<Field, string>;
  text: string;
  pendingLabel: string;
  label?: string;
  variant?: ButtonVariant;
  /** Off where the page itself shows the new state in a live region (e.g. a credentials test result). */
  announceSuccess?: boolean;
  /** Irreversible actions ask first, in a dialog. */
  confirm?: Confirmation;
  /** Where the button and its failure message sit: left, or right at the end of a row. */
  align?: "start" | "end";
}) {
  const announce = useAnnounce();
  const dialog = useRef<HTMLDialogElement>(null);
  const [state, formAction] = useActionState(async (previous: ActionResult<Field> | null, formData: FormData) => {
    const result = await action(previous, formData);
    dialog.current?.close();
    if (result.ok && announceSuccess) announce(result.message);
    return result;
  }, null);
  const column = align === "end" ? "flex flex-col items-end gap-1" : "flex flex-col items-start gap-1";
  if (confirm) {
    return (
      <div className={column}>
        <ConfirmButton
          formAction={formAction}
          fields={fields}
          text={text}
          label={label}
          pendingLabel={pendingLabel}
          variant={variant}
          confirm={confirm}
          dialogRef={dialog}
        />
        {state && !state.ok && <FormMessage state={state} />}
      </div>
    );
  }
  return (
    <form action={formAction} className={column}>
      {(Object.entries(fields) as [string, string][]).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <SubmitButton variant={variant} size="sm" pendingLabel={pendingLabel} aria-label={label}>
        {text}
      </SubmitButton>
      {state && !state.ok && <FormMessage state={state} />}
    </form>
  );
}

/** "Enable" or "Disable", whichever applies to the thing called `name` (screen readers hear "Disable <name>"). */
export function EnableDisableForm<Field extends string>({
  disabled,
  enable,
  disable,
  fields,
  name,
}: {
  disabled: boolean;
  enable: FormAction<Field>;
  disable: FormAction<Field>;
  fields: Record<Field, string>;
  name: string;
}) {
  return disabled ? (
    <ButtonForm action={enable} fields={fields} text="Enable" pendingLabel="Enabling…" label={`Enable ${name}`} />
  ) : (
    <ButtonForm action={disable} fields={fields} text="Disable" pendingLabel="Disabling…" label={`Disable ${name}`} />
  );
}

/** "Delete" for the thing called `name`, asking first in a dialog (`title` and `body`, answered "Yes, delete"). */
export function DeleteForm<Field extends string>({
  action,
  fields,
  name,
  title,
  body,
}: {
  action: FormAction<Field>;
  fields: Record<Field, string>;
  name: string;
  title: string;
  body: string;
}) {
  return (
    <ButtonForm
      action={action}
      fields={fields}
      text="Delete"
      pendingLabel="Deleting…"
      label={`Delete ${name}`}
      variant="danger"
      confirm={{ title, body, confirmText: "Yes, delete" }}
    />
  );
}
