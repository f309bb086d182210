"use client";

import type { FormAction } from "./form-action";
import { OneFieldForm } from "./one-field-form";

/** Adds a member by the e-mail they sign in to Apicbase with, whether or not they have signed in to the portal. */
export function AddMemberForm({
  action,
  organizationId,
  organizationName,
}: {
  action: FormAction<"organizationId" | "email">;
  organizationId: string;
  organizationName: string;
}) {
  return (
    <OneFieldForm
      action={action}
      name="email"
      hidden={{ organizationId }}
      field={{
        id: `add-member-${organizationId}`,
        type: "email",
        label: `Add a member to ${organizationName}`,
        hint: "Their Apicbase e-mail address. Someone who has not signed in yet joins at their first sign-in.",
        autoComplete: "off",
        required: true,
        placeholder: "name@company.com",
      }}
      submit={{ label: "Add member", pending: "Adding…", variant: "secondary" }}
    />
  );
}
