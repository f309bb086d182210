"use client";

import type { FormAction } from "./form-action";
import { OneFieldForm } from "./one-field-form";

export function CreateOrganizationForm({ action }: { action: FormAction<"name"> }) {
  return (
    <OneFieldForm
      action={action}
      name="name"
      className="space-y-3"
      field={{
        id: "organization-name",
        label: "Organization name",
        hint: "The partner company, e.g. “Lightspeed POS”. 2 to 80 characters.",
        autoComplete: "organization",
        required: true,
        maxLength: 200,
      }}
      submit={{ label: "Create organization", pending: "Creating…" }}
    />
  );
}
