import type { ActionResult } from "@/lib/forms";

/** A server action made for useActionState, as the admin page hands it to a form. */
export type FormAction<Field extends string> = (
  previous: ActionResult<Field> | null,
  formData: FormData,
) => Promise<ActionResult<Field>>;

/** What a failed submission typed into a field, so the form shows it again instead of an empty field. */
export function typedValue<Field extends string>(state: ActionResult<Field> | null, field: Field): string | undefined {
  return state && !state.ok ? state.values?.[field] : undefined;
}

export function fieldError<Field extends string>(state: ActionResult<Field> | null, field: Field): string | undefined {
  return state && !state.ok ? state.fieldErrors[field] : undefined;
}
