/**
 * The token API's OpenAPI 3.1 document, generated (zod-openapi) from the zod schemas in schemas.ts that validate its
 * requests and type its answers. Served at /api/v1/openapi.json and rendered by the portal's reference page.
 */
import { z } from "zod";
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiResponsesObject } from "zod-openapi";
import {
  accessTokenQuery,
  accessTokenSchema,
  connectionIdParam,
  connectionListSchema,
  errorSchema,
  libraryIdParam,
  listQuery,
  MAX_LIBRARY_ID,
} from "./schemas";

const errorContent = { "application/json": { schema: errorSchema } };
const retryAfter = {
  "Retry-After": {
    description: "Seconds to wait before trying again.",
    schema: { type: "integer" as const, minimum: 1 },
  },
};

const ERRORS = {
  400: "`invalid_request`: a malformed id, path encoding or query parameter (the message names it).",
  401: "`invalid_api_key`: no key, or an unknown, expired or revoked one.",
  403: "`forbidden`: the key's scopes do not allow this kind of request.",
  404: "`not_found`: no such endpoint, or no such connection in the key's organization.",
  405: "`method_not_allowed`: see the `Allow` header.",
  409:
    "`needs_reauthorization` (re-authorize it in the portal), `connection_revoked`, or `ambiguous_library` (see " +
    "`candidates`).",
  413: "`payload_too_large`: the request body is larger than 1 MiB.",
  429:
    "`rate_limited`: over the key's rate limit, or over Apicbase's limit for the application; wait `Retry-After` " +
    "seconds.",
  500: "`internal_error`: the portal failed; try again.",
  502: "`apicbase_unavailable` or `payload_too_large`: Apicbase could not be reached, or answered more than 10 MiB.",
  503:
    "`refresh_failed`: the token needed a refresh and Apicbase failed; `shutting_down`: the portal process is " +
    "stopping (the proxy starts no new call). Try again after `Retry-After`.",
  504: "`apicbase_unavailable`: Apicbase did not answer in time.",
} as const;

function errors(...statuses: (keyof typeof ERRORS)[]): ZodOpenApiResponsesObject {
  const out: ZodOpenApiResponsesObject = {};
  for (const status of statuses) {
    const withWait = status === 429 || status === 503;
    out[String(status) as "400"] = {
      description: ERRORS[status],
      content: errorContent,
      ...(withWait ? { headers: retryAfter } : {}),
    };
  }
  return out;
}

const connectionPath = z.object({ connection_id: connectionIdParam });
const libraryPath = z.object({ library_id: libraryIdParam });
const restParam = {
  name: "path",
  in: "path" as const,
  required: true,
  description:
    "Apicbase API path below `/api/v2/`, slashes included, e.g. `products/ingredients/` (the query string is " +
    "forwarded too).",
  schema: { type: "string" as const },
  example: "accounts/libraries/active/",
};

function proxyOperation(by: "connection" | "library", method: string): ZodOpenApiOperationObject {
  return {
    operationId: `${method}${by === "connection" ? "Connection" : "Library"}Apicbase`,
    tags: ["Apicbase API proxy"],
    summary:
      `${method.toUpperCase()} to Apicbase's API with the ` +
      `${by === "connection" ? "connection's" : "library's connection's"} token`,
    description:
      "Forwarded to Apicbase's API URL + `path` with the connection's access token. " +
      "Only these request headers go on: Accept, Accept-Language, Content-Type, If-Match, If-None-Match, " +
      "If-Modified-Since, If-Unmodified-Since (never the caller's Authorization or cookies); " +
      "Apicbase's status and body come back with Allow, Content-Type, ETag, " +
      "Last-Modified, Link, Location, Retry-After and rate-limit headers. " +
      "On a 401 the portal refreshes the connection once and retries once. " +
      "Request bodies up to 1 MiB, answers up to 10 MiB. Errors of the portal itself carry an " +
      "`error` code; Apicbase's own come as Apicbase sends them, marked `Apicbase-Forwarded: 1`.",
    requestParams: { path: by === "connection" ? connectionPath : libraryPath },
    parameters: [restParam],
    ...(method === "post" || method === "put" || method === "patch"
      ? { requestBody: { required: false, content: { "application/json": { schema: { type: "object" as const } } } } }
      : {}),
    responses: {
      default: {
        description: "Apicbase's answer (any status), as Apicbase sent it, with the header `Apicbase-Forwarded: 1`.",
        headers: {
          "Apicbase-Forwarded": {
            description: "Present on Apicbase's own answers.",
            schema: { type: "string" as const, enum: ["1"] },
          },
        },
        content: { "application/json": { schema: {} } },
      },
      ...errors(400, 401, 403, 404, 409, 413, 429, 500, 502, 503, 504),
    },
  };
}

const proxyItem = (by: "connection" | "library") =>
  Object.fromEntries(["get", "post", "put", "patch", "delete"].map((method) => [method, proxyOperation(by, method)]));

let cached: ReturnType<typeof createDocument> | undefined;

export function openApiDocument(): ReturnType<typeof createDocument> {
  cached ??= createDocument({
    openapi: "3.1.0",
    info: {
      title: "Apicbase partner portal: token API",
      version: "1.0.0",
      description:
        "Fetch a valid Apicbase access token for any of your organization's connections, or call Apicbase's API " +
        "through the portal, with an organization API key (`apb_...`, created on the portal's API keys page). Every " +
        "answer is JSON with `Cache-Control: no-store`; errors carry a stable `error` code and a `message`.",
    },
    servers: [{ url: "/", description: "This portal" }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description: "An organization API key: `Authorization: Bearer apb_...`.",
        },
      },
    },
    tags: [
      { name: "Connections", description: "The organization's connections and their access tokens." },
      { name: "Apicbase API proxy", description: "Apicbase's REST API, called with a connection's token." },
      { name: "Reference", description: "This document." },
    ],
    paths: {
      "/api/v1/connections": {
        get: {
          operationId: "listConnections",
          tags: ["Connections"],
          summary: "List the organization's connections",
          description:
            "Connections in a stable order, with status and access-token expiry (never a token). With `library_id`, " +
            "only the connections approved for that library or whose token now reaches it. Needs the `list` scope.",
          requestParams: { query: listQuery },
          responses: {
            200: {
              description: "A page of connections.",
              content: { "application/json": { schema: connectionListSchema } },
            },
            ...errors(400, 401, 403, 405, 429, 500),
          },
        },
      },
      "/api/v1/connections/{connection_id}/access-token": {
        get: {
          operationId: "connectionAccessToken",
          tags: ["Connections"],
          summary: "A valid access token of a connection",
          description:
            "Refreshed first when it would expire within `min_valid_seconds`, or at once with `force_refresh=true`; " +
            "concurrent callers share one refresh. Needs the `token` scope.",
          requestParams: { path: connectionPath, query: accessTokenQuery },
          responses: {
            200: { description: "The token.", content: { "application/json": { schema: accessTokenSchema } } },
            ...errors(400, 401, 403, 404, 405, 409, 429, 500, 503),
          },
        },
      },
      "/api/v1/libraries/{library_id}/access-token": {
        get: {
          operationId: "libraryAccessToken",
          tags: ["Connections"],
          summary: "A valid access token for an Apicbase library",
          description:
            "As by connection id, for the organization's one usable connection that reaches the library " +
            `(1 to ${MAX_LIBRARY_ID}). ` +
            "When several do, 409 `ambiguous_library` lists them as `candidates`: ask for one by its id.",
          requestParams: { path: libraryPath, query: accessTokenQuery },
          responses: {
            200: { description: "The token.", content: { "application/json": { schema: accessTokenSchema } } },
            ...errors(400, 401, 403, 404, 405, 409, 429, 500, 503),
          },
        },
      },
      "/api/v1/connections/{connection_id}/apicbase/{path}": proxyItem("connection"),
      "/api/v1/libraries/{library_id}/apicbase/{path}": proxyItem("library"),
      "/api/v1/openapi.json": {
        get: {
          operationId: "openApiDocument",
          tags: ["Reference"],
          summary: "This OpenAPI document",
          security: [],
          responses: {
            200: { description: "The document.", content: { "application/json": { schema: { type: "object" } } } },
          },
        },
      },
    },
  });
  return cached;
}
