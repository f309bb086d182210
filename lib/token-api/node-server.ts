/**
 * The token API on a bare node:http server (`npm run token-api`): the same handlers as the portal's routes under
 * app/api/v1/, without Next.js's per-request cost, for deployments whose backends fetch tokens at high rates.
 */
import http from "node:http";
import { accessTokenResponse, apiError, connectionListResponse, type TokenApiContext } from "./api";

const ACCESS_TOKEN_PATH = /^\/api\/v1\/connections\/([^/]+)\/access-token\/?$/;

export function createTokenApiServer(ctx: TokenApiContext): http.Server {
  return http.createServer((incoming, outgoing) => {
    answer(ctx, incoming).then(
      async (response) => {
        outgoing.writeHead(response.status, Object.fromEntries(response.headers));
        outgoing.end(Buffer.from(await response.arrayBuffer()));
      },
      () => {
        if (!outgoing.headersSent) outgoing.writeHead(500);
        outgoing.end();
      },
    );
  });
}

function answer(ctx: TokenApiContext, incoming: http.IncomingMessage): Promise<Response> {
  const url = new URL(incoming.url ?? "/", "http://token-api.local");
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === "string") headers.set(name, value);
  const request = new Request(url, { headers });
  const match = ACCESS_TOKEN_PATH.exec(url.pathname);
  const known = match || url.pathname === "/api/v1/connections" || url.pathname === "/api/v1/connections/";
  if (!known) return Promise.resolve(apiError(404, "not_found", "There is no such endpoint."));
  if (incoming.method !== "GET") return Promise.resolve(apiError(405, "method_not_allowed", "Only GET is allowed here.", { Allow: "GET" }));
  if (!match) return connectionListResponse(ctx, request);
  const id = safeDecode(match[1]!);
  if (id === null) return Promise.resolve(apiError(400, "invalid_request", "The path holds a malformed percent-encoding."));
  return accessTokenResponse(ctx, request, id);
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
