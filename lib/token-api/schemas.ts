/**
 * The token API's contract as zod schemas: the query parameters it validates and the answers it gives. The OpenAPI
 * document (openapi.ts) is generated from these same schemas, and the handlers type their answers with them, so the
 * reference cannot drift from the code.
 */
import { z } from "zod";
import { DISPLAY_STATUSES } from "@/lib/connections/status";

export const DEFAULT_MIN_VALID_SECONDS = 600;
/** At most a day: Apicbase's tokens live 7 days and the refresher renews them with about 2 days left. */
export const MAX_MIN_VALID_SECONDS = 86_400;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
/** Apicbase's library ids are PostgreSQL integers. */
export const MAX_LIBRARY_ID = 2_147_483_647;

/** A whole number in a query string or path: digits only (no sign, exponent, spaces or leading "+"). */
function wholeNumber(name: string, min: number, max: number, description: string) {
  const message = `${name} must be a whole number from ${min} to ${max}.`;
  return z
    .string()
    .regex(/^\d{1,10}$/, message)
    .transform(Number)
    .pipe(z.number().int().min(min, message).max(max, message))
    .meta({ description, override: { type: "integer", minimum: min, maximum: max } });
}

const booleanFlag = (description: string) =>
  z
    .enum(["true", "false"], { error: "force_refresh must be true or false." })
    .transform((value) => value === "true")
    .meta({
      description,
      override: { type: "boolean" },
    });

export const connectionIdParam = z
  .uuid({ error: "The connection id must be a UUID, as the portal lists them." })
  .meta({ description: "The connection's id (a UUID), from the connection list or the portal." });

export const libraryIdParam = wholeNumber("library_id", 1, MAX_LIBRARY_ID, "An Apicbase library id, e.g. 101.");

export const listQuery = z.object({
  limit: wholeNumber("limit", 1, MAX_PAGE_SIZE, `Connections per page (default ${DEFAULT_PAGE_SIZE}).`).optional(),
  cursor: z
    .string()
    .max(200, "cursor is not one this API returned.")
    .meta({ description: "`next_cursor` of the previous page." })
    .optional(),
  library_id: wholeNumber("library_id", 1, MAX_LIBRARY_ID, "Only the connections of this Apicbase library.").optional(),
});

export const accessTokenQuery = z.object({
  min_valid_seconds: wholeNumber(
    "min_valid_seconds",
    0,
    MAX_MIN_VALID_SECONDS,
    `The token handed out stays valid at least this long; it is refreshed first when it would not (default ` +
      `${DEFAULT_MIN_VALID_SECONDS}).`,
  ).optional(),
  force_refresh: booleanFlag(
    "true: refresh now, unless another refresh of this connection happened in the last minute (then that token is " +
      "handed out). Drawn from the portal's shared refresh budget; concurrent callers share one refresh.",
  ).optional(),
});

const library = z
  .object({ id: z.number().int().meta({ example: 101 }), name: z.string().meta({ example: "Bistro Nord" }) })
  .meta({ id: "Library", description: "The Apicbase library the connection was approved for." });

const timestamp = z.iso.datetime().meta({ example: "2026-12-04T10:00:00.000Z" });

export const connectionSchema = z
  .object({
    id: z.uuid(),
    library,
    status: z.enum(DISPLAY_STATUSES).meta({ description: "The connection's state as the portal shows it." }),
    scopes: z.array(z.string()).meta({ example: ["accounts", "library"] }),
    access_token_expires_at: timestamp.nullable(),
    last_refreshed_at: timestamp.nullable(),
    application_id: z.uuid(),
  })
  .meta({ id: "Connection" });

export const connectionListSchema = z
  .object({
    data: z.array(connectionSchema),
    next_cursor: z
      .string()
      .nullable()
      .meta({ description: "Pass back as `cursor` for the next page; null on the last." }),
  })
  .meta({ id: "ConnectionList" });

export const accessTokenSchema = z
  .object({
    connection_id: z.uuid(),
    access_token: z.string().meta({ description: "Send it to Apicbase as `Authorization: Bearer <access_token>`." }),
    token_type: z.literal("Bearer"),
    expires_at: timestamp,
    expires_in: z.number().int().min(0).meta({ description: "Seconds until `expires_at`.", example: 591234 }),
    scopes: z.array(z.string()).meta({ example: ["accounts", "library"] }),
    library,
    refreshed: z.boolean().meta({ description: "Whether the portal refreshed the token for this request." }),
  })
  .meta({ id: "AccessToken" });

export const TOKEN_API_ERROR_CODES = [
  "invalid_request",
  "invalid_api_key",
  "forbidden",
  "not_found",
  "method_not_allowed",
  "needs_reauthorization",
  "connection_revoked",
  "ambiguous_library",
  "payload_too_large",
  "rate_limited",
  "internal_error",
  "apicbase_unavailable",
  "refresh_failed",
  "shutting_down",
] as const;
export type TokenApiErrorCode = (typeof TOKEN_API_ERROR_CODES)[number];

export const errorSchema = z
  .object({
    error: z.enum(TOKEN_API_ERROR_CODES).meta({ description: "A stable code to act on." }),
    message: z.string().meta({ description: "What happened, in a sentence for people." }),
    candidates: z
      .array(z.object({ id: z.uuid(), library, status: z.enum(DISPLAY_STATUSES) }))
      .meta({ description: "`ambiguous_library` only: the connections that reach the library; ask for one by id." })
      .optional(),
  })
  .meta({ id: "Error" });

export type ConnectionBody = z.output<typeof connectionSchema>;
export type ConnectionListBody = z.output<typeof connectionListSchema>;
export type AccessTokenBody = z.output<typeof accessTokenSchema>;
export type ErrorBody = z.output<typeof errorSchema>;

/** The first problem of a failed parse, as one sentence for the `message` of a 400. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "The request is malformed.";
  const name = issue.path.join(".");
  return issue.message.includes(name) || !name ? issue.message : `${name}: ${issue.message}`;
}
