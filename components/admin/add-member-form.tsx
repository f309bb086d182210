"use client";

import type { FormAction } from "./form-action";
import { EMAIL_FIELD, OneFieldForm } from "./one-field-form";

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
        ...EMAIL_FIELD,
        id: `add-member-${organizationId}`,
        label: `Add a member to ${organizationName}`,
        hint: "Their Apicbase e-mail address. Someone who has not signed in yet joins at their first sign-in.",
      }}
      submit={{ label: "Add member", pending: "Adding…", variant: "secondary" }}
    />
  );
}
