import { z } from "zod";

/**
 * What every server action answers. A failure names the field that caused it and gives back what was typed, so the
 * form can show it again (never a secret: adminAction leaves the fields it is told are secret out).
 */
export type ActionResult<Field extends string = string> =
  | { ok: true; message: string }
  | {
      ok: false;
      message: string;
      fieldErrors: Partial<Record<Field, string>>;
      values?: Partial<Record<Field, string>>;
    };

/** A failed ActionResult that no single field caused: its message only. */
export function failure(message: string): { ok: false; message: string; fieldErrors: Record<string, never> } {
  return { ok: false, message, fieldErrors: {} };
}

const NAME_MIN = 2;
const NAME_MAX = 80;

/**
 * A name typed into a form: white space collapsed, then 2 to 80 characters without control or invisible formatting
 * characters and, unless `letterOrDigit` is false, at least one letter or digit. `missing` is the message for no
 * value or an empty one, unless `empty` has one of its own.
 */
export function typedName(
  { missing, empty = missing }: { missing: string; empty?: string },
  { letterOrDigit = true } = {},
) {
  let name = z
    .string()
    .min(1, empty)
    .min(NAME_MIN, `Use at least ${NAME_MIN} characters.`)
    .max(NAME_MAX, `Use at most ${NAME_MAX} characters.`)
    .regex(/^\P{C}*$/u, "Use letters, digits, spaces and punctuation only.");
  if (letterOrDigit) name = name.regex(/[\p{L}\p{N}]/u, "Include at least one letter or digit.");
  return z
    .string({ error: missing })
    .transform((value) => value.replace(/\s+/g, " ").trim())
    .pipe(name);
}

/** An organization's name. */
export const organizationName = typedName({ missing: "Enter the organization's name." });

/** An Apicbase username: the e-mail address the person signs in to Apicbase with, compared in lower case. */
export const apicbaseEmail = z
  .string({ error: "Enter the person's Apicbase e-mail address." })
  .transform((value) => value.trim().toLowerCase())
  .pipe(
    z
      .string()
      .min(1, "Enter the person's Apicbase e-mail address.")
      .max(254, "An e-mail address has at most 254 characters.")
      .pipe(z.email("Enter an e-mail address like name@company.com.")),
  );

export const recordId = z.uuid("This item no longer exists. Reload the page.");

export const createOrganizationForm = z.object({ name: organizationName });
export const addMemberForm = z.object({ organizationId: recordId, email: apicbaseEmail });
export const removeMemberForm = z.object({ organizationId: recordId, userId: recordId });
export const removeInvitationForm = z.object({ organizationId: recordId, invitationId: recordId });
export const promoteAdminForm = z.object({ email: apicbaseEmail });
export const demoteAdminForm = z.object({ userId: recordId });
export const confirmEmailOwnerForm = z.object({ userId: recordId });

/** The first message per field, as the forms show one message under each field. */
export function fieldErrorsOf<Field extends string>(error: z.ZodError): Partial<Record<Field, string>> {
  const errors: Partial<Record<Field, string>> = {};
  for (const issue of error.issues) {
    const field = issue.path[0];
    if (typeof field === "string" && !(field in errors)) errors[field as Field] = issue.message;
  }
  return errors;
}

/**
 * Only the fields a form declares, as strings: extra or file entries never reach a schema. A list field (a group of
 * checkboxes sharing one name) arrives as its checked values joined by single spaces, the way OAuth writes scopes.
 */
export function readFields(
  formData: FormData,
  fields: readonly string[],
  listFields: readonly string[] = [],
): Record<string, string | undefined> {
  return Object.fromEntries(
    fields.map((field) => {
      if (listFields.includes(field)) {
        const values = formData.getAll(field).filter((value): value is string => typeof value === "string");
        return [field, values.join(" ")];
      }
      const value = formData.get(field);
      return [field, typeof value === "string" ? value : undefined];
    }),
  );
}
