"use client";

import { useActionState, type ComponentProps } from "react";
import type { ButtonVariant } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import { TextField } from "@/components/ui/text-field";
import { fieldError, typedValue, type FormAction } from "./form-action";

type FieldProps = Omit<ComponentProps<typeof TextField>, "name" | "error" | "defaultValue" | "className">;

/** A person's Apicbase e-mail address, as every admin form asks for it (with `id`, `label` and `hint` beside it). */
export const EMAIL_FIELD = {
  type: "email",
  autoComplete: "off",
  required: true,
  placeholder: "name@company.com",
} as const satisfies Partial<FieldProps>;

/**
 * The admin pages' one-field form: hidden ids, a labelled field with its hint and error, a submit button that shows
 * progress, and the action's message. A failed submission shows what was typed again, except in a secret field.
 */
export function OneFieldForm<Field extends string>({
  action,
  name,
  field,
  hidden = {},
  submit,
  className = "space-y-2",
}: {
  action: FormAction<Field>;
  name: Field;
  field: FieldProps;
  hidden?: Record<string, string>;
  submit: { label: string; pending: string; variant?: ButtonVariant };
  className?: string;
}) {
  const [state, formAction] = useActionState(action, null);
  const secret = field.type === "password";
  return (
    <form action={formAction} className={className} noValidate>
      {Object.entries(hidden).map(([key, value]) => (
        <input key={key} type="hidden" name={key} value={value} />
      ))}
      <div className="flex flex-wrap items-end gap-3">
        <TextField
          {...field}
          name={name}
          defaultValue={secret ? undefined : typedValue(state, name)}
          error={fieldError(state, name)}
          className="min-w-64 flex-1"
        />
        <SubmitButton variant={submit.variant} pendingLabel={submit.pending}>
          {submit.label}
        </SubmitButton>
      </div>
      <FormMessage state={state} />
    </form>
  );
}
