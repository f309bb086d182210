"use client";

import type { FormAction } from "./form-action";
import { EMAIL_FIELD, OneFieldForm } from "./one-field-form";

export function PromoteAdminForm({ action }: { action: FormAction<"email"> }) {
  return (
    <OneFieldForm
      action={action}
      name="email"
      field={{
        ...EMAIL_FIELD,
        id: "promote-admin-email",
        label: "Make someone an admin",
        hint: "The Apicbase e-mail of someone who has signed in to the portal at least once.",
      }}
      submit={{ label: "Make admin", pending: "Saving…", variant: "secondary" }}
    />
  );
}
