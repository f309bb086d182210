import "server-only";
import type { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { getDb } from "@/lib/db";
import { fieldErrorsOf, readFields, type ActionResult } from "@/lib/forms";
import { authorizeAdmin, type Admin } from "./session";

/** The form fields of a schema, for typing each form's field errors. */
export type FieldsOf<Schema extends z.ZodObject> = keyof z.input<Schema> & string;

export type AdminActionState<Schema extends z.ZodObject> = ActionResult<FieldsOf<Schema>> | null;

export type AdminActionOptions<Field extends string> = {
  /** Checkbox groups: their checked values arrive joined by spaces (see readFields). */
  lists?: readonly Field[];
  /** Never echoed back to the form, whatever happens (client secrets). */
  secrets?: readonly Field[];
};

/**
 * A server action for admins, usable with useActionState: re-checks the caller on every call (an action is a
 * public POST endpoint, whatever page showed its form), reads only the schema's fields, validates them, and
 * answers with a typed result instead of throwing for anything the user can fix.
 */
export function adminAction<Schema extends z.ZodObject>(
  name: string,
  schema: Schema,
  run: (admin: Admin, input: z.output<Schema>) => Promise<ActionResult<FieldsOf<Schema>>>,
  options: AdminActionOptions<FieldsOf<Schema>> = {},
) {
  return async (_previous: AdminActionState<Schema>, formData: FormData): Promise<ActionResult<FieldsOf<Schema>>> => {
    const access = await authorizeAdmin();
    if (!access.ok) {
      if (access.user) {
        const { db } = await getDb();
        await recordAudit(db, {
          actor: { id: access.user.id, email: access.user.email },
          event: "access_refused",
          outcome: "failure",
          detail: { action: name },
        });
      }
      return { ok: false, message: access.message, fieldErrors: {} };
    }
    const input = readFields(formData, Object.keys(schema.shape), options.lists) as Partial<
      Record<FieldsOf<Schema>, string>
    >;
    // What the form shows again after a failure: everything typed except secrets.
    const values = Object.fromEntries(
      Object.entries(input).filter(([field]) => !options.secrets?.includes(field as FieldsOf<Schema>)),
    ) as Partial<Record<FieldsOf<Schema>, string>>;
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      return {
        ok: false,
        message: "Nothing was changed: correct the field that shows a message.",
        fieldErrors: fieldErrorsOf<FieldsOf<Schema>>(parsed.error),
        values,
      };
    }
    const result = await run(access.admin, parsed.data);
    return result.ok ? result : { values, ...result };
  };
}
