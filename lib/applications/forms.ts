import { z } from "zod";
import { recordId, typedName } from "@/lib/forms";
import { ALL_SCOPES, type Scope } from "@/lib/sandbox";

/**
 * The admin forms of applications (client credentials). Client ids and secrets follow RFC 6749 Appendix A
 * (VSCHAR), without spaces, and are used exactly as typed: stray white space is refused, never trimmed, because a
 * trimmed secret that still fails would be a puzzle.
 */

export const CLIENT_ID_MAX = 255;
export const CLIENT_SECRET_MIN = 8;
export const CLIENT_SECRET_MAX = 512;

/** Scopes without which a connection cannot work: the portal reads the approving user's active library with it. */
export const REQUIRED_SCOPES: readonly Scope[] = ["accounts"];

export const REDIRECT_MODE_LABELS = {
  redirect: "The portal's redirect URI",
  oob: "No redirect URL (manual code entry)",
} as const;

const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;

function credential(what: "client id" | "client secret", min: number, max: number) {
  return z
    .string({ error: `Enter the ${what}.` })
    .min(1, `Enter the ${what}.`)
    .refine(
      (value) => value.trim() === value,
      `Remove the spaces or line breaks around the ${what}: it is used exactly as typed.`,
    )
    .refine(
      (value) => PRINTABLE_ASCII.test(value),
      `A ${what} has printable ASCII characters only (letters, digits, - _ . and the like).`,
    )
    .refine((value) => !value.includes(" "), `A ${what} has no spaces.`)
    .refine(
      (value) => value.length >= min,
      `A ${what} has at least ${min} characters; Apicbase's are long random strings.`,
    )
    .refine((value) => value.length <= max, `A ${what} has at most ${max} characters.`);
}

export const clientId = credential("client id", 1, CLIENT_ID_MAX);
export const clientSecret = credential("client secret", CLIENT_SECRET_MIN, CLIENT_SECRET_MAX);

/** An application's name as admins and partners see it: white space collapsed, 2 to 80 visible characters. */
export const applicationName = typedName({ missing: "Enter a name for the application." });

export const redirectMode = z.enum(["redirect", "oob"], { error: "Choose how Apicbase hands the code back." });

/** Checked scope boxes, joined by spaces (readFields); in the canonical order, without duplicates. */
export const requestedScopes = z
  .string()
  .optional()
  .transform((value) => (value ?? "").split(" ").filter(Boolean))
  .superRefine((scopes, ctx) => {
    const unknown = scopes.filter((scope) => !(ALL_SCOPES as readonly string[]).includes(scope));
    if (unknown.length > 0) ctx.addIssue({ code: "custom", message: `Unknown scope: ${unknown.join(", ")}.` });
    for (const required of REQUIRED_SCOPES) {
      if (!scopes.includes(required)) {
        ctx.addIssue({
          code: "custom",
          message:
            `Keep “${required}”: the portal reads the approving user's active library with it, to know which library ` +
            `a connection reaches.`,
        });
      }
    }
  })
  .transform((scopes) => ALL_SCOPES.filter((scope) => scopes.includes(scope)));

export const registerApplicationForm = z
  .object({
    name: applicationName,
    clientId,
    clientSecret,
    redirectMode,
    scopes: requestedScopes,
  })
  .superRefine((input, ctx) => {
    if (input.clientSecret === input.clientId) {
      ctx.addIssue({
        code: "custom",
        path: ["clientSecret"],
        message: "The secret is the same as the client id: one of them was pasted into the wrong field.",
      });
    }
  });

export const replaceSecretForm = z.object({ applicationId: recordId, clientSecret });
export const applicationForm = z.object({ applicationId: recordId });
