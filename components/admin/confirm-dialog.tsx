"use client";

import { useId } from "react";
import { Button, type ButtonVariant } from "@/components/ui/button";
import { SubmitButton } from "@/components/ui/submit-button";
import { cx } from "@/components/ui/classes";

export type Confirmation = {
  /** The dialog's heading, a question: "Delete “Desk app”?" */
  title: string;
  /** What happens, in a sentence or two. */
  body: string;
  /** The confirming button's text: "Yes, delete". */
  confirmText: string;
};

/**
 * A button that asks first: it opens a native modal <dialog> (focus moves in, Escape and Cancel close it, focus
 * returns to the button), whose form posts the hidden fields to the action. The dialog closes once the action
 * answered; the caller shows the answer.
 */
export function ConfirmButton({
  formAction,
  fields,
  text,
  label,
  pendingLabel,
  variant,
  confirm,
  dialogRef,
}: {
  formAction: (formData: FormData) => void;
  fields: Record<string, string>;
  text: string;
  label?: string;
  pendingLabel: string;
  variant: ButtonVariant;
  confirm: Confirmation;
  dialogRef: React.RefObject<HTMLDialogElement | null>;
}) {
  const id = useId();
  return (
    <>
      <Button
        variant={variant}
        size="sm"
        aria-label={label}
        aria-haspopup="dialog"
        onClick={() => dialogRef.current?.showModal()}
      >
        {text}
      </Button>
      <dialog
        ref={dialogRef}
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-body`}
        className={cx(
          "m-auto w-[min(30rem,calc(100vw-2rem))] rounded-xl border border-slate-200",
          "bg-white p-6 text-left text-slate-900 shadow-xl backdrop:bg-slate-900/40",
        )}
      >
        <form action={formAction} className="space-y-4">
          {Object.entries(fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <h2 id={`${id}-title`} className="text-lg font-semibold whitespace-normal">
            {confirm.title}
          </h2>
          <p id={`${id}-body`} className="text-sm leading-6 whitespace-normal text-slate-700">
            {confirm.body}
          </p>
          <div className="flex flex-wrap justify-end gap-3">
            <Button variant="secondary" onClick={() => dialogRef.current?.close()} autoFocus>
              Cancel
            </Button>
            <SubmitButton variant="danger" pendingLabel={pendingLabel}>
              {confirm.confirmText}
            </SubmitButton>
          </div>
        </form>
      </dialog>
    </>
  );
}
