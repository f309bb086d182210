import { z } from "zod";

// Tokens are opaque to the portal; anything outside printable ASCII or absurdly long is not an Apicbase token.
export const tokenValue = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^[\x21-\x7e]+$/, "not a token");

const scopeToken = /^[\x21\x23-\x5b\x5d-\x7e]{1,64}$/;
export const scopeString = z
  .string()
  .max(1000)
  .refine(
    (s) =>
      s
        .split(/\s+/)
        .filter(Boolean)
        .every((t) => scopeToken.test(t)),
    "malformed scope",
  );

export function scopeList(scope: string): string[] {
  return [...new Set(scope.split(/\s+/).filter(Boolean))];
}

/** Longest access-token lifetime believed; Apicbase's is 7 days. Longer claims are clamped, not trusted. */
export const MAX_EXPIRES_IN = 30 * 24 * 3600;
/** RFC 6749 makes expires_in optional; without it, assume an hour and let introspection tell the truth. */
export const DEFAULT_EXPIRES_IN = 3600;

export const tokenResponse = z.object({
  access_token: tokenValue,
  // Optional on refresh (RFC 6749 §6: keep the old one); the code exchange insists on it.
  refresh_token: tokenValue.optional(),
  token_type: z.literal("bearer"),
  expires_in: z
    .number()
    .nonnegative()
    .optional()
    .transform((v) => (v === undefined ? DEFAULT_EXPIRES_IN : Math.min(Math.floor(v), MAX_EXPIRES_IN))),
  scope: scopeString.optional(),
});

export const oauthErrorBody = z.object({
  error: z.string().regex(/^[\x20-\x7e]{1,64}$/),
  error_description: z.string().max(500).optional(),
});

export const introspectionResponse = z.discriminatedUnion("active", [
  z.object({ active: z.literal(false) }),
  z.object({
    active: z.literal(true),
    scope: scopeString.optional(),
    exp: z.number().int().positive().optional(),
    client_id: z.string().max(255).optional(),
    username: z.string().max(320).optional(),
  }),
]);

const libraryId = z.number().int().positive();
const name = z.string().max(500);

export const librarySummary = z.object({ id: libraryId, name, status: z.string().max(64) });

export const activeLibraryResponse = librarySummary.extend({
  user: z.object({
    id: z.number().int().positive(),
    email: z.string().max(320),
    first_name: name.default(""),
    last_name: name.default(""),
  }),
});

export const librariesPage = z.object({
  count: z.number().int().nonnegative(),
  next: z.string().max(2000).nullable(),
  previous: z.string().max(2000).nullable(),
  results: z.array(librarySummary).max(1000),
});
