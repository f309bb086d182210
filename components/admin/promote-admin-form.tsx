"use client";

import type { FormAction } from "./form-action";
import { OneFieldForm } from "./one-field-form";

export function PromoteAdminForm({ action }: { action: FormAction<"email"> }) {
  return (
    <OneFieldForm
      action={action}
      name="email"
      field={{
        id: "promote-admin-email",
        type: "email",
        label: "Make someone an admin",
        hint: "The Apicbase e-mail of someone who has signed in to the portal at least once.",
        autoComplete: "off",
        required: true,
        placeholder: "name@company.com",
      }}
      submit={{ label: "Make admin", pending: "Saving…", variant: "secondary" }}
    />
  );
}
