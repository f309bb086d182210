"use client";

import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { RevokeApiKeyResult } from "@/lib/api-keys/forms";

type RevokeAction = (previous: RevokeApiKeyResult | null, formData: FormData) => Promise<RevokeApiKeyResult>;

export function RevokeApiKeyForm({ action, organizationId, apiKeyId, name }: { action: RevokeAction; organizationId: string; apiKeyId: string; name: string }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col items-end gap-1">
      <input type="hidden" name="organizationId" value={organizationId} />
      <input type="hidden" name="apiKeyId" value={apiKeyId} />
      <SubmitButton variant="danger" size="sm" pendingLabel="Revoking…" aria-label={`Revoke the API key “${name}”`}>
        Revoke
      </SubmitButton>
      {state && !state.ok && <FormMessage state={state} />}
    </form>
  );
}
