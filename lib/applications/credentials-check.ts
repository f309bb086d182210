import { randomInt } from "node:crypto";
import type { ApicbaseClient } from "@/lib/apicbase/client";
import { isApicbaseError } from "@/lib/apicbase/errors";
import type { ApplicationCredentialsCheck } from "@/lib/db/schema";

const CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A code shaped like Apicbase's (30 characters of [A-Za-z0-9]) that no authorization ever issued. */
export function unusableCode(): string {
  return Array.from({ length: 30 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join("");
}

/**
 * "Test credentials": exchanges a deliberately invalid code. The token endpoint authenticates the client before it
 * looks at the code (RFC 6749 §5.2, and django-oauth-toolkit does so), so `invalid_client` means the credentials are
 * wrong and `invalid_grant` means they were accepted and only the code was refused. Nothing is issued either way.
 */
export async function checkCredentials(
  client: ApicbaseClient,
  redirectUri: string,
  now: () => Date = () => new Date(),
): Promise<ApplicationCredentialsCheck> {
  const checked = (
    result: ApplicationCredentialsCheck["result"],
    apicbaseError: string | null = null,
    httpStatus: number | null = null,
  ) => ({
    result,
    apicbaseError,
    httpStatus,
    checkedAt: now().toISOString(),
  });
  try {
    await client.exchangeCode({ code: unusableCode(), redirectUri });
    // A made-up code was accepted: whatever this server is, its answer proves nothing.
    return checked("unexpected", null, 200);
  } catch (error) {
    if (!isApicbaseError(error)) throw error;
    const status = error.status ?? null;
    if (error.code === "oauth_error" && error.oauthError === "invalid_grant")
      return checked("accepted", "invalid_grant", status);
    // RFC 6749 §5.2: 401 is the token endpoint's answer to failed client authentication, with or without a body.
    if (error.isClientCredentialsError || error.code === "unauthorized")
      return checked("rejected", error.oauthError ?? null, status);
    switch (error.code) {
      case "network":
        return checked("unreachable");
      case "timeout":
        return checked("timeout");
      case "rate_limited":
        return checked("rate_limited", null, status);
      case "server_error":
        return checked("server_error", null, status);
      default:
        return checked("unexpected", error.oauthError ?? null, status);
    }
  }
}

export type CredentialsCheckTone = "good" | "bad" | "unknown";

/** The outcome in words, as the applications page and the audit log say it. */
export function describeCredentialsCheck(check: ApplicationCredentialsCheck): {
  tone: CredentialsCheckTone;
  title: string;
  text: string;
} {
  const http = check.httpStatus ? `HTTP ${check.httpStatus}` : null;
  switch (check.result) {
    case "accepted":
      return {
        tone: "good",
        title: "Credentials fine",
        text:
          "Apicbase accepted the client id and secret " +
          "(it refused only the deliberately invalid code: invalid_grant).",
      };
    case "rejected":
      return {
        tone: "bad",
        title: "Wrong credentials",
        text:
          `Apicbase answered ${check.apicbaseError ?? `HTTP ${check.httpStatus ?? 401}`}: ` +
          "it does not know this client id, or the secret does not match. Replace the secret, or check the client id.",
      };
    case "unreachable":
      return {
        tone: "unknown",
        title: "Apicbase unreachable",
        text: "The token endpoint could not be reached, so nothing was checked. Try again later.",
      };
    case "timeout":
      return {
        tone: "unknown",
        title: "No answer",
        text: "The token endpoint did not answer in time, so nothing was checked. Try again later.",
      };
    case "rate_limited":
      return {
        tone: "unknown",
        title: "Rate limited",
        text: "Apicbase asked the portal to wait (HTTP 429), so nothing was checked. Try again in a minute.",
      };
    case "server_error":
      return {
        tone: "unknown",
        title: "Apicbase failed",
        text: `The token endpoint failed${http ? ` (${http})` : ""}, so nothing was checked. Try again later.`,
      };
    case "unexpected":
      return {
        tone: "unknown",
        title: "Inconclusive",
        text:
          `The token endpoint answered ${check.apicbaseError ?? http ?? "something unexpected"}` +
          ", which tells neither way whether the credentials are right.",
      };
  }
}
