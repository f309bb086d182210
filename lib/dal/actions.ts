import "server-only";
import { redirect } from "next/navigation";
import type { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { getDb } from "@/lib/db";
import { fieldErrorsOf, readFields, recordId, type ActionResult } from "@/lib/forms";
import { CONNECTION_NOT_YOURS, CORRECT_THE_FIELD, ORGANIZATION_NOT_YOURS, SIGNED_OUT } from "@/lib/messages/errors";
import { canActFor, connectionOwner } from "./connections";
import { actorOf } from "./actor";
import { type Admin, authorizeAdmin, getCurrentUser, type PortalUser } from "./session";

/** The form fields of a schema, for typing each form's field errors. */
export type FieldsOf<Schema extends z.ZodObject> = keyof z.input<Schema> & string;

/** A failed ActionResult, e.g. what `ctx.refuse()` answers. */
export type Failure<Field extends string = string> = Extract<ActionResult<Field>, { ok: false }>;

/** Who may call: portal admins only, any signed-in user (narrowed by `owns`), or anyone (redirecting actions only). */
export type Access = "admin" | "member" | "public";
/** What the caller must own, read from the raw form field before the schema runs. */
export type Owns = "organization" | "connection" | "nothing";

type CallerOf<A extends Access> = A extends "admin" ? Admin : A extends "member" ? PortalUser : null;
type ScopeOf<O extends Owns> = O extends "connection"
  ? { organizationId: string; connectionId: string }
  : O extends "organization"
    ? { organizationId: string }
    : object;

export type ActionContext<A extends Access, O extends Owns> = {
  user: CallerOf<A>;
  /**
   * Audits an `access_refused` for this action and answers with the refusal (`spec.notAllowed` unless a message is
   * given): for ownership checks only the action itself can make (e.g. an attempt sealed in a cookie).
   */
  refuse: (message?: string, detail?: { organizationId?: string; connectionId?: string }) => Promise<Failure>;
} & ScopeOf<O>;

type SpecBase<Schema extends z.ZodObject, A extends Access, O extends Owns> = {
  /** snake_case; the audit log shows a refusal as "tried: <name with spaces>". */
  name: string;
  /** Default "member". */
  access?: A;
  /**
   * "organization": the form's `organizationId` is one the caller may act for (a member, or any for an admin).
   * "connection": the form's `connectionId` is a connection the caller may act on; the context gets its owner.
   * Checked before the schema, so a caller without access learns nothing from field messages. Default "nothing".
   */
  owns?: O;
  /** The form's fields. A function when the schema depends on configuration read at request time. */
  schema: Schema | (() => Schema);
  /** Checkbox groups: their checked values arrive joined by spaces (see readFields). */
  lists?: readonly FieldsOf<Schema>[];
};

export type ActionSpec<Schema extends z.ZodObject, A extends Access, O extends Owns> = SpecBase<Schema, A, O> & {
  /** Never given back to the form, whatever happens (client secrets, tokens, codes). */
  secrets?: readonly FieldsOf<Schema>[];
  /**
   * The form-level message when a field fails the schema; the field messages go under their fields. Forms that
   * consist of hidden ids only pass `{ message, fieldErrors: false }`.
   */
  invalid?: string | { message: string; fieldErrors: false };
  /** What a caller refused by `owns` (or by `ctx.refuse()`) reads. */
  notAllowed?: string;
  /** The refusal shows under this field too. */
  notAllowedField?: FieldsOf<Schema>;
};

export type RedirectSpec<Schema extends z.ZodObject, A extends Access, O extends Owns> = SpecBase<Schema, A, O> & {
  /** Where a caller refused by `owns` goes. */
  notAllowed: string;
  /** Where input that fails the schema goes (default: `notAllowed`). */
  invalid?: string;
};

type KeysOf<R> = R extends unknown ? keyof R : never;
/**
 * What the action answers: the schema's ActionResult, or `run`'s declared result type when it carries more (a
 * created key, a secret shown once). Write `async (ctx, input): Promise<MyResult> =>` for the latter.
 */
export type ResultOf<R, Schema extends z.ZodObject> = [
  Exclude<KeysOf<R>, "ok" | "message" | "fieldErrors" | "values">,
] extends [never]
  ? ActionResult<FieldsOf<Schema>>
  : R;

type Refusal = { kind: "signed_out" } | { kind: "not_allowed"; audited: boolean };

async function auditRefusal(
  user: PortalUser,
  action: string,
  detail: { organizationId?: string; connectionId?: string },
) {
  const { db } = await getDb();
  await recordAudit(db, {
    actor: actorOf(user),
    event: "access_refused",
    outcome: "failure",
    ...(detail.connectionId ? { connectionId: detail.connectionId } : {}),
    detail: { action, ...(detail.organizationId ? { organizationId: detail.organizationId } : {}) },
  });
}

/** Session, admin check and ownership, in this order; every refusal of a signed-in caller is audited. */
async function admit<A extends Access, O extends Owns>(
  spec: { name: string; access?: A; owns?: O },
  formData: FormData,
): Promise<{ ok: true; user: CallerOf<A>; scope: ScopeOf<O> } | { ok: false; refusal: Refusal; message?: string }> {
  const access = spec.access ?? "member";
  if (access === "public") return { ok: true, user: null as CallerOf<A>, scope: {} as ScopeOf<O> };
  let user: PortalUser;
  if (access === "admin") {
    const admitted = await authorizeAdmin();
    if (!admitted.ok) {
      if (admitted.user) await auditRefusal(admitted.user, spec.name, {});
      return {
        ok: false,
        refusal: admitted.user ? { kind: "not_allowed", audited: true } : { kind: "signed_out" },
        message: admitted.message,
      };
    }
    user = admitted.admin;
  } else {
    const current = await getCurrentUser();
    if (!current) return { ok: false, refusal: { kind: "signed_out" } };
    user = current;
  }
  const raw = (field: string) => {
    const value = formData.get(field);
    return typeof value === "string" ? value : "";
  };
  if (spec.owns === "organization") {
    const organizationId = raw("organizationId");
    const wellFormed = recordId.safeParse(organizationId).success;
    if (!wellFormed || !canActFor(user, organizationId)) {
      if (wellFormed) await auditRefusal(user, spec.name, { organizationId });
      return { ok: false, refusal: { kind: "not_allowed", audited: wellFormed } };
    }
    return { ok: true, user: user as CallerOf<A>, scope: { organizationId } as ScopeOf<O> };
  }
  if (spec.owns === "connection") {
    const connectionId = raw("connectionId");
    const organizationId = await connectionOwner(user, connectionId);
    if (!organizationId) {
      const wellFormed = recordId.safeParse(connectionId).success;
      if (wellFormed) await auditRefusal(user, spec.name, { connectionId });
      return { ok: false, refusal: { kind: "not_allowed", audited: wellFormed } };
    }
    return { ok: true, user: user as CallerOf<A>, scope: { organizationId, connectionId } as ScopeOf<O> };
  }
  return { ok: true, user: user as CallerOf<A>, scope: {} as ScopeOf<O> };
}

function readInput<Schema extends z.ZodObject>(spec: SpecBase<Schema, Access, Owns>, formData: FormData) {
  const schema = typeof spec.schema === "function" ? spec.schema() : spec.schema;
  const input = readFields(formData, Object.keys(schema.shape), spec.lists) as Partial<
    Record<FieldsOf<Schema>, string>
  >;
  return { input, parsed: schema.safeParse(input) };
}

/**
 * The one way to write a server action behind a form (`useActionState`). An action is a public POST endpoint,
 * whatever page showed its form, so on every call the wrapper re-checks, in order: the session, the admin right
 * (`access: "admin"`), ownership of the form's organization or connection (`owns`), then reads only the schema's
 * fields and validates them. Each refusal of a signed-in caller is audited as `access_refused` with `name`, and
 * the form gets a typed result instead of a throw for anything the user can fix; after a failure, everything typed
 * except `secrets` comes back in `values`.
 *
 * ```ts
 * // app/(portal)/things/actions.ts
 * "use server";
 * export const renameThingAction = action(
 *   {
 *     name: "rename_thing",
 *     owns: "organization",                     // the form has a hidden organizationId
 *     schema: z.object({ organizationId: recordId, thingId: recordId, name: thingName }),
 *     invalid: "Nothing was renamed: correct the field that shows a message.",
 *     notAllowed: "Only members of this organization can rename its things.",
 *   },
 *   async (ctx, { thingId, name }): Promise<ActionResult<"organizationId" | "thingId" | "name">> => {
 *     const outcome = await renameThing(ctx.user, ctx.organizationId, thingId, name); // lib/dal: checks again
 *     if (outcome === "not_allowed") return ctx.refuse();
 *     if (outcome === "not_found") return { ok: false, message: "This thing is gone.", fieldErrors: {} };
 *     revalidatePath("/things");
 *     return { ok: true, message: `Renamed to “${name}”.` };
 *   },
 * );
 * ```
 */
export function action<
  Schema extends z.ZodObject,
  Result extends ActionResult<string>,
  A extends Access = "member",
  O extends Owns = "nothing",
>(
  spec: ActionSpec<Schema, A, O>,
  run: (ctx: ActionContext<A, O>, input: z.output<Schema>) => Promise<Result>,
): (previous: ResultOf<Result, Schema> | null, formData: FormData) => Promise<ResultOf<Result, Schema>> {
  const notAllowed = (message?: string): Failure => {
    const text =
      message ?? spec.notAllowed ?? (spec.owns === "connection" ? CONNECTION_NOT_YOURS : ORGANIZATION_NOT_YOURS);
    return {
      ok: false,
      message: text,
      fieldErrors: spec.notAllowedField && !message ? { [spec.notAllowedField]: text } : {},
    };
  };
  return async (_previous, formData) => {
    const admitted = await admit(spec, formData);
    if (!admitted.ok) {
      if (admitted.refusal.kind === "signed_out")
        return { ok: false, message: SIGNED_OUT, fieldErrors: {} } as ResultOf<Result, Schema>;
      return notAllowed(admitted.message) as ResultOf<Result, Schema>;
    }
    const { input, parsed } = readInput(spec, formData);
    // What the form shows again after a failure: everything typed except secrets.
    const values = Object.fromEntries(
      Object.entries(input).filter(([field]) => !spec.secrets?.includes(field as FieldsOf<Schema>)),
    ) as Partial<Record<FieldsOf<Schema>, string>>;
    if (!parsed.success) {
      const invalid = spec.invalid ?? CORRECT_THE_FIELD;
      return {
        ok: false,
        message: typeof invalid === "string" ? invalid : invalid.message,
        fieldErrors: typeof invalid === "string" ? fieldErrorsOf<FieldsOf<Schema>>(parsed.error) : {},
        values,
      } as ResultOf<Result, Schema>;
    }
    const user = admitted.user as PortalUser;
    const ctx = {
      ...admitted.scope,
      user: admitted.user,
      refuse: async (message?: string, detail = {}) => {
        await auditRefusal(user, spec.name, { ...admitted.scope, ...detail });
        return notAllowed(message);
      },
    } as ActionContext<A, O>;
    const result = await run(ctx, parsed.data);
    return (result.ok ? result : { values, ...result }) as ResultOf<Result, Schema>;
  };
}

/**
 * The same checks for an action that answers by navigating (a plain `<form action>`: "Connect", "Cancel"): a
 * signed-out caller goes to the sign-in page, one refused by `owns` to `notAllowed`, input failing the schema to
 * `invalid`. `run` ends with `redirect()`.
 */
export function redirectAction<Schema extends z.ZodObject, A extends Access = "member", O extends Owns = "nothing">(
  spec: RedirectSpec<Schema, A, O>,
  run: (ctx: Omit<ActionContext<A, O>, "refuse">, input: z.output<Schema>) => Promise<void>,
): (formData: FormData) => Promise<void> {
  return async (formData) => {
    const admitted = await admit(spec, formData);
    if (!admitted.ok) redirect(admitted.refusal.kind === "signed_out" ? "/signin" : spec.notAllowed);
    const { parsed } = readInput(spec, formData);
    if (!parsed.success) redirect(spec.invalid ?? spec.notAllowed);
    await run({ ...admitted.scope, user: admitted.user } as Omit<ActionContext<A, O>, "refuse">, parsed.data);
  };
}
