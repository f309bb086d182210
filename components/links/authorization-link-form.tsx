"use client";

import { useActionState, useState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import { TextField } from "@/components/ui/text-field";
import type { LinkActionResult } from "@/app/(portal)/connections/link-actions";
import { cx, FOCUS_RING } from "@/components/ui/classes";

type LinkAction = (previous: LinkActionResult, formData: FormData) => Promise<NonNullable<LinkActionResult>>;

/**
 * Creates a single-use authorization link for someone without a portal account (the library owner): for a new
 * connection ("connect link", named after the customer) or to re-authorize an existing one.
 */
export function AuthorizationLinkForm({
  action,
  hidden,
  kind,
}: {
  action: LinkAction;
  hidden: Record<string, string>;
  kind: "connect" | "reauthorize";
}) {
  const [state, formAction] = useActionState(action, null);
  const [copied, setCopied] = useState(false);
  const link = state?.ok ? state.link : undefined;
  const error = state && !state.ok ? state.fieldErrors.customerLabel : undefined;
  return (
    <form action={formAction} className="space-y-3" noValidate>
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <div className="flex flex-wrap items-end gap-3">
        {kind === "connect" && (
          <TextField
            id="customer-label"
            name="customerLabel"
            label="Customer"
            hint="Whom the link is for, e.g. “Bistro Nord, Antwerp”."
            required
            maxLength={200}
            defaultValue={state && !state.ok ? state.values?.customerLabel : undefined}
            error={error}
            className="min-w-64 flex-1"
          />
        )}
        <SubmitButton variant="secondary" pendingLabel="Creating…">
          {kind === "connect" ? "Create connect link" : "Create re-authorization link"}
        </SubmitButton>
      </div>
      <FormMessage state={state} />
      {link && (
        <div className="flex flex-wrap items-center gap-2">
          <label htmlFor={`${kind}-link`} className="sr-only">
            Authorization link
          </label>
          <input
            id={`${kind}-link`}
            readOnly
            value={link}
            onFocus={(event) => event.currentTarget.select()}
            className={cx(
              "min-w-0 flex-1 rounded-lg border border-slate-300",
              "bg-slate-50 px-3 py-2 font-mono text-sm text-slate-900",
            )}
          />
          <button
            type="button"
            onClick={async () => {
              await navigator.clipboard?.writeText(link).catch(() => undefined);
              setCopied(true);
            }}
            className={cx(
              "rounded-lg border border-slate-300 bg-white px-3 py-2",
              "text-sm font-medium text-slate-900 hover:bg-slate-100",
              FOCUS_RING,
            )}
          >
            {copied ? "Copied" : "Copy link"}
          </button>
        </div>
      )}
    </form>
  );
}
