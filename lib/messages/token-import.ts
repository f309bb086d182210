/**
 * What importing a token pair says: the form's field messages and why Apicbase's answer refused a pair
 * (lib/connections/token-import.ts decides, with a reason and its facts).
 */
import type { ImportRefusalCode } from "@/lib/connections/codes";
import { apicbaseProblemMessage } from "./apicbase";

export type ImportedToken = "access token" | "refresh token";

const article = (what: ImportedToken) => (what === "access token" ? "An" : "A");

/** The import form's field messages, per token. */
export const IMPORT_FORM_TEXT = {
  application: "Choose the application that issued the tokens.",
  empty: (what: ImportedToken) => `Paste the ${what}.`,
  spaces: (what: ImportedToken) =>
    `${article(what)} ${what} has no spaces or line breaks inside. Paste only the ${what}.`,
  characters: (what: ImportedToken) =>
    `${article(what)} ${what} has letters, digits and punctuation only. Paste it as Apicbase shows it.`,
  tooShort: (what: ImportedToken) =>
    `That is too short for an Apicbase ${what} (they are 30 characters). Paste the whole ${what}.`,
  tooLong: (what: ImportedToken) => `That is far longer than an Apicbase ${what}. Paste only the ${what}.`,
  samePair: "This is the same token as the access token: paste the refresh token here.",
} as const;

/** Why a pasted pair was refused, in words. */
export function describeImportRefusal(refusal: ImportRefusalCode): string {
  switch (refusal.reason) {
    case "other_application":
      return (
        `These tokens were issued to the application “${refusal.issuedTo}”, not “${refusal.applicationName}”. Only ` +
        `the issuing application can use and refresh them: choose “${refusal.issuedTo}” and check again.`
      );
    case "inactive":
      return (
        `Apicbase no longer accepts these tokens for “${refusal.applicationName}”: the access token is not active ` +
        `and the refresh token was refused (invalid_grant). They were revoked or already used, or belong to an ` +
        `application this portal does not know. Generate a new pair in Apicbase and paste it here.`
      );
    case "refresh_lost":
      return (
        "The access token had expired, so the portal asked Apicbase for a new pair, but its answer was lost. The " +
        "pasted refresh token may no longer work: check again, and if Apicbase refuses, generate a new pair in " +
        "Apicbase."
      );
    case "no_accounts_scope":
      return (
        "These tokens lack the accounts scope, so the portal cannot tell which library they reach. Generate a pair " +
        "with the accounts scope in Apicbase."
      );
    case "apicbase":
      if (refusal.problem.code !== "portal_error" && refusal.problem.clientCredentials)
        return (
          `Apicbase rejected the client id or secret of “${refusal.applicationName}”, so the tokens could not be ` +
          `checked. An admin must correct the application's credentials.`
        );
      return `${apicbaseProblemMessage(refusal.problem)} Nothing was stored.`;
  }
}
