"use client";

import { useActionState, useRef } from "react";
import { ConfirmButton } from "@/components/admin/confirm-dialog";
import { FormMessage } from "@/components/ui/form-message";
import type { RevokeApiKeyResult } from "@/lib/api-keys/forms";

type RevokeAction = (previous: RevokeApiKeyResult | null, formData: FormData) => Promise<RevokeApiKeyResult>;

/** Revoke asks first, in a native dialog: backends using the key stop working at once, and it cannot be undone. */
export function RevokeApiKeyForm({
  action,
  organizationId,
  apiKeyId,
  name,
}: {
  action: RevokeAction;
  organizationId: string;
  apiKeyId: string;
  name: string;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [state, formAction] = useActionState(async (previous: RevokeApiKeyResult | null, formData: FormData) => {
    const result = await action(previous, formData);
    dialog.current?.close();
    return result;
  }, null);
  return (
    <div className="flex flex-col items-end gap-1">
      <ConfirmButton
        formAction={formAction}
        fields={{ organizationId, apiKeyId }}
        text="Revoke"
        label={`Revoke the API key “${name}”`}
        pendingLabel="Revoking…"
        variant="danger"
        dialogRef={dialog}
        confirm={{
          title: `Revoke the API key “${name}”?`,
          body:
            "Every request with this key is refused from the moment you confirm: the backends that use it stop " +
            "getting tokens. This cannot be undone; create a new key to replace it.",
          confirmText: "Yes, revoke",
        }}
      />
      {state && !state.ok && <FormMessage state={state} />}
    </div>
  );
}
