"use client";

import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { WithdrawLinkResult } from "@/app/(portal)/links/actions";

type WithdrawAction = (previous: WithdrawLinkResult | null, formData: FormData) => Promise<WithdrawLinkResult>;

/** Makes an open authorization link stop working at once. */
export function WithdrawLinkForm({
  action,
  organizationId,
  linkId,
  label,
}: {
  action: WithdrawAction;
  organizationId: string;
  linkId: string;
  label: string;
}) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col items-end gap-1">
      <input type="hidden" name="organizationId" value={organizationId} />
      <input type="hidden" name="linkId" value={linkId} />
      <SubmitButton
        variant="secondary"
        size="sm"
        pendingLabel="Withdrawing…"
        aria-label={`Withdraw the link for ${label}`}
      >
        Withdraw
      </SubmitButton>
      {state && !state.ok && <FormMessage state={state} />}
    </form>
  );
}
