"use client";

import { useEffect, useId, useRef } from "react";
import { buttonClasses } from "@/components/ui/button";
import { cx, INPUT_FOCUS } from "@/components/ui/classes";

/**
 * The bulk Revoke's confirmation, asking for the one reason. Loaded (lazily, by BulkActionsBar) only when
 * someone presses Revoke…: most visits to the dashboard never open it. Opens as a modal dialog as it mounts; Cancel,
 * Escape or a started job closes it (`onClose`).
 */
export function RevokeDialog({
  title,
  confirm,
  fields,
  dispatch,
  pending,
  reasonError,
  onClose,
}: {
  title: string;
  confirm: string;
  /** The hidden fields naming what to revoke, as the bar's other actions send them. */
  fields: React.ReactNode;
  dispatch: (formData: FormData) => void;
  pending: boolean;
  reasonError: string | undefined;
  onClose: () => void;
}) {
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      onClose={onClose}
      aria-labelledby={`${id}-title`}
      className={cx(
        "m-auto w-[min(32rem,calc(100vw-2rem))] rounded-xl border border-slate-200 bg-white p-6",
        "text-left text-slate-900 shadow-xl backdrop:bg-slate-900/40",
      )}
    >
      <form action={dispatch} className="space-y-4">
        {fields}
        <input type="hidden" name="action" value="revoke" />
        <h2 id={`${id}-title`} className="text-lg font-semibold">
          {title}
        </h2>
        <p className="text-sm leading-6 text-slate-700">
          Each is revoked at Apicbase where it offers revocation, and its tokens are deleted; the connections stay
          listed as revoked, with this reason. Revoked connections are left out.
        </p>
        <div>
          <label htmlFor={`${id}-reason`} className="block text-sm font-medium text-slate-800">
            Reason (the organization and the audit log see it)
          </label>
          <textarea
            id={`${id}-reason`}
            name="reason"
            rows={2}
            required
            maxLength={500}
            aria-invalid={reasonError ? true : undefined}
            aria-describedby={reasonError ? `${id}-reason-error` : undefined}
            className={cx(
              "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900",
              INPUT_FOCUS,
            )}
          />
          {reasonError && (
            <p id={`${id}-reason-error`} className="mt-1 text-sm text-red-700">
              {reasonError}
            </p>
          )}
        </div>
        <div className="flex justify-end gap-2">
          <button type="button" onClick={() => dialog.current?.close()} className={buttonClasses("secondary")}>
            Cancel
          </button>
          <button type="submit" disabled={pending} className={buttonClasses("primary")}>
            {pending ? "Starting…" : confirm}
          </button>
        </div>
      </form>
    </dialog>
  );
}
