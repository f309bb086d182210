"use client";

import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { EmailSettingsResult } from "@/lib/notifications/forms";

type SaveAction = (previous: EmailSettingsResult | null, formData: FormData) => Promise<EmailSettingsResult>;

/** The signed-in member's own e-mail settings for one organization. */
export function EmailSettingsForm({
  action,
  organizationId,
  alerts,
  digest,
  address,
}: {
  action: SaveAction;
  organizationId: string;
  alerts: boolean;
  digest: boolean;
  address: string | null;
}) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="space-y-3">
      <input type="hidden" name="organizationId" value={organizationId} />
      <fieldset className="space-y-2">
        <legend className="text-sm text-slate-700">Sent to {address ?? "your Apicbase e-mail address"}.</legend>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" name="alerts" defaultChecked={alerts} className="mt-1 size-4 accent-slate-900" />
          <span>
            <span className="font-medium text-slate-900">E-mail me every event</span>
            <span className="block text-slate-600">
              The same events as the webhooks: a connection breaks, recovers, is connected or disconnected.
            </span>
          </span>
        </label>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" name="digest" defaultChecked={digest} className="mt-1 size-4 accent-slate-900" />
          <span>
            <span className="font-medium text-slate-900">Daily digest</span>
            <span className="block text-slate-600">
              Once a day, the connections needing attention (sent only when there are some).
            </span>
          </span>
        </label>
      </fieldset>
      <SubmitButton variant="secondary" size="sm" pendingLabel="Saving…">
        Save e-mail settings
      </SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
