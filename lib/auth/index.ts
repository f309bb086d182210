import "server-only";
import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { cache } from "react";
import { countSignInStart } from "@/lib/attempts/starts";
import { clientAddress } from "@/lib/attempts/address";
import { recordAudit } from "@/lib/audit";
import { env } from "@/lib/env";
import { getDb } from "@/lib/db";
import { AUTH_PAGES, buildAuthConfig, loggedAuthErrors } from "./config";
import { classifySignInFailure, type SignInFailure } from "./sign-in-failures";

const { handlers: authJsHandlers, auth: uncachedAuth, signIn, signOut } = NextAuth(buildAuthConfig);

/** The session of this request (read once per render, whatever calls it). */
const auth = cache(uncachedAuth);

export { auth, signIn, signOut };
export type { SessionMembership } from "./config";

export function signInErrorPath(failure: SignInFailure, code?: string, retryAfterSeconds?: number): string {
  const query = new URLSearchParams({ reason: failure });
  if (code) query.set("code", code);
  if (retryAfterSeconds !== undefined) query.set("retry_after", String(retryAfterSeconds));
  return `${AUTH_PAGES.error}?${query}`;
}

const SIGN_IN_START = /^\/api\/auth\/signin\/[^/]+\/?$/;

/**
 * A sign-in started by posting to Auth.js's route directly (the portal's button goes through a server action that
 * counts the same way): beyond the limit per address, 429 with Retry-After.
 */
async function refusedSignInStart(request: NextRequest): Promise<Response | null> {
  if (request.method !== "POST" || !SIGN_IN_START.test(request.nextUrl.pathname)) return null;
  const verdict = await countSignInStart(clientAddress(request.headers, { trustProxy: env().TRUST_PROXY === "1" }));
  if (verdict.allowed) return null;
  const location = new URL(
    signInErrorPath("too_many_attempts", undefined, verdict.retryAfterSeconds),
    request.nextUrl.origin,
  );
  return new Response(
    `Too many sign-in attempts from this address. Try again in ${verdict.retryAfterSeconds} seconds.`,
    {
      status: 429,
      headers: {
        "Retry-After": String(verdict.retryAfterSeconds),
        "Content-Type": "text/plain; charset=utf-8",
        "Cache-Control": "no-store",
        Link: `<${location.pathname}${location.search}>; rel="alternate"`,
      },
    },
  );
}

const ERROR_DESTINATIONS = new Set<string>([
  AUTH_PAGES.signIn,
  AUTH_PAGES.error,
  "/api/auth/signin",
  "/api/auth/error",
]);

/**
 * Auth.js ends a failed sign-in on the error page with only its error type (often "Configuration"). This sends it
 * there with the reason instead: cancelled at Apicbase, state mismatch, Apicbase unreachable...
 */
async function withFailureReason(request: NextRequest, handler: (request: NextRequest) => Promise<Response>) {
  const logged: unknown[] = [];
  const response = await loggedAuthErrors.run(logged, () => handler(request));
  const error = logged.at(-1);
  const location = response.headers.get("location");
  if (error === undefined || !location) return response;
  const destination = new URL(location, request.url);
  if (!ERROR_DESTINATIONS.has(destination.pathname)) return response;

  const { failure, code } = classifySignInFailure(error, request.nextUrl.searchParams.get("error"));
  console.warn(`[auth] sign-in failed: ${failure}${code ? ` (${code})` : ""}`);
  // A state mismatch has not been tied to any sign-in the portal started: not worth a row for anyone's request.
  if (failure !== "state_mismatch") {
    await getDb()
      .then(({ db }) =>
        recordAudit(db, {
          actor: { system: "anonymous" },
          event: "signed_in",
          outcome: "failure",
          apicbaseError: code ?? (failure === "access_denied" || failure === "invalid_scope" ? failure : null),
          detail: { reason: failure },
        }),
      )
      // The user still deserves the error page when the database is what failed.
      .catch((auditError: unknown) => console.error(`[auth] could not audit a failed sign-in: ${String(auditError)}`));
  }
  const headers = new Headers(response.headers);
  headers.set("location", new URL(signInErrorPath(failure, code), destination.origin).href);
  return new Response(null, { status: 302, headers });
}

export const handlers = {
  GET: (request: NextRequest) => withFailureReason(request, authJsHandlers.GET),
  POST: async (request: NextRequest) =>
    (await refusedSignInStart(request)) ?? withFailureReason(request, authJsHandlers.POST),
};
