import { z } from "zod";
import type { ActiveLibrary, ApicbaseClient, Introspection, TokenSet } from "@/lib/apicbase/client";
import { ApicbaseError } from "@/lib/apicbase/errors";
import { DEFAULT_EXPIRES_IN } from "@/lib/apicbase/schemas";
import { openJson, sealJson } from "@/lib/crypto/sealed-json";
import type { Keyring } from "@/lib/crypto/secrets";
import { recordId } from "@/lib/forms";
import { apicbaseErrorMessage } from "@/lib/messages/apicbase";

/**
 * Token import: a token pair generated in Apicbase's own UI, handed to the partner, checked with Apicbase before it
 * becomes a connection. The pasted pair is checked by introspection (refreshed once when it has expired) and Get
 * Active Library; between "here is what we found" and "store it" it waits sealed in an HttpOnly cookie, never in
 * the browser in the clear.
 */

const IMPORT_TOKEN_MIN = 16;
/** Apicbase's tokens are 30 characters; the cap keeps a sealed pair well inside one cookie. */
export const IMPORT_TOKEN_MAX = 512;

function importToken(what: "access token" | "refresh token") {
  const article = what === "access token" ? "An" : "A";
  return (
    z
      .string({ error: `Paste the ${what}.` })
      // Copied tokens often carry spaces or a line break around them, and an access token sometimes "Bearer ".
      .transform((value) => value.trim().replace(what === "access token" ? /^bearer\s+/i : /^$/, ""))
      .pipe(
        z
          .string()
          .min(1, { message: `Paste the ${what}.`, abort: true })
          .refine((value) => !/\s/.test(value), {
            message: `${article} ${what} has no spaces or line breaks inside. Paste only the ${what}.`,
            abort: true,
          })
          .refine((value) => /^[\x21-\x7e]*$/.test(value), {
            message: `${article} ${what} has letters, digits and punctuation only. Paste it as Apicbase shows it.`,
            abort: true,
          })
          .refine((value) => value.length >= IMPORT_TOKEN_MIN, {
            message: `That is too short for an Apicbase ${what} (they are 30 characters). Paste the whole ${what}.`,
            abort: true,
          })
          .refine((value) => value.length <= IMPORT_TOKEN_MAX, {
            message: `That is far longer than an Apicbase ${what}. Paste only the ${what}.`,
            abort: true,
          }),
      )
  );
}

export const importTokensForm = z
  .object({
    organizationId: recordId,
    applicationId: z.uuid("Choose the application that issued the tokens."),
    accessToken: importToken("access token"),
    refreshToken: importToken("refresh token"),
  })
  .refine((form) => form.accessToken !== form.refreshToken, {
    path: ["refreshToken"],
    message: "This is the same token as the access token: paste the refresh token here.",
  });
export type ImportTokensInput = z.infer<typeof importTokensForm>;
export type ImportField = "applicationId" | "accessToken" | "refreshToken";

// --- The decision ---

/** What the import needs of an Apicbase client speaking as the chosen application. */
export type ImportClient = Pick<ApicbaseClient, "introspect" | "refresh" | "getActiveLibrary" | "revoke">;
/** Another enabled application, asked only whether it recognizes the access token. */
export type OtherApplication = { name: string; introspect(accessToken: string): Promise<Introspection> };

export type ImportFinding = {
  tokens: TokenSet;
  library: ActiveLibrary;
  /** Who the token belongs to according to introspection, when Apicbase said. */
  username: string | null;
  /** The access token had expired and was refreshed: the pasted pair no longer works, the new one is in `tokens`. */
  refreshed: boolean;
};

export type ImportRefusal = {
  ok: false;
  reason: "other_application" | "inactive" | "refresh_lost" | "no_accounts_scope" | "apicbase";
  /** The form field the message belongs to. */
  field: ImportField | null;
  message: string;
  /** For the audit log: Apicbase's error code or the reason, never a token. */
  code: string;
};
export type ImportDecision = { ok: true; finding: ImportFinding } | ImportRefusal;

function refusal(
  reason: ImportRefusal["reason"],
  field: ImportField | null,
  message: string,
  code: string = reason,
): ImportRefusal {
  return { ok: false, reason, field, message, code };
}

function fromApicbase(error: unknown, applicationName: string): ImportRefusal {
  const code = error instanceof ApicbaseError ? (error.oauthError ?? error.code) : "portal_error";
  if (error instanceof ApicbaseError && error.isClientCredentialsError) {
    return refusal(
      "apicbase",
      "applicationId",
      `Apicbase rejected the client id or secret of “${applicationName}”, so the tokens could not be checked. An ` +
        `admin must correct the application's credentials.`,
      code,
    );
  }
  if (error instanceof ApicbaseError && error.code === "forbidden" && error.endpoint === "api") {
    return noAccounts();
  }
  return refusal("apicbase", null, `${apicbaseErrorMessage(error)} Nothing was stored.`, code);
}

const noAccounts = () =>
  refusal(
    "no_accounts_scope",
    "accessToken",
    "These tokens lack the accounts scope, so the portal cannot tell which library they reach. Generate a pair " +
      "with the accounts scope in Apicbase.",
  );

/**
 * Checks a pasted pair as the chosen application: introspection first; an inactive token is offered to the other
 * applications (only the issuing one sees it as active) and then refreshed once with the chosen one; finally Get
 * Active Library says which library and user it reaches. Nothing is stored here.
 */
export async function inspectImport(args: {
  client: ImportClient;
  applicationName: string;
  others: OtherApplication[];
  accessToken: string;
  refreshToken: string;
  now: Date;
}): Promise<ImportDecision> {
  const { client, applicationName, now } = args;
  let info: Introspection;
  try {
    info = await client.introspect(args.accessToken);
  } catch (error) {
    return fromApicbase(error, applicationName);
  }

  let tokens: TokenSet;
  let username: string | null = null;
  let refreshed = false;
  if (info.active) {
    const expiresAt = info.expiresAt ?? new Date(now.getTime() + DEFAULT_EXPIRES_IN * 1000);
    tokens = {
      accessToken: args.accessToken,
      refreshToken: args.refreshToken,
      tokenType: "bearer",
      expiresAt,
      expiresIn: Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000)),
      scopes: info.scopes ?? [],
    };
    username = info.username ?? null;
    if (info.scopes && !info.scopes.includes("accounts")) return noAccounts();
  } else {
    // Apicbase calls another application's token inactive too: ask the others before blaming the token.
    for (const other of args.others) {
      const seen = await other.introspect(args.accessToken).catch(() => null);
      if (seen?.active) {
        return refusal(
          "other_application",
          "applicationId",
          `These tokens were issued to the application “${other.name}”, not “${applicationName}”. Only the issuing ` +
            `application can use and refresh them: choose “${other.name}” and check again.`,
        );
      }
    }
    try {
      tokens = await client.refresh({ refreshToken: args.refreshToken });
      refreshed = true;
    } catch (error) {
      if (error instanceof ApicbaseError && error.needsReauthorization) {
        return refusal(
          "inactive",
          "accessToken",
          `Apicbase no longer accepts these tokens for “${applicationName}”: the access token is not active and ` +
            `the refresh token was refused (invalid_grant). They were revoked or already used, or belong to an ` +
            `application this portal does not know. Generate a new pair in Apicbase and paste it here.`,
          "invalid_grant",
        );
      }
      if (error instanceof ApicbaseError && error.ambiguous) {
        return refusal(
          "refresh_lost",
          null,
          "The access token had expired, so the portal asked Apicbase for a new pair, but its answer was lost. The " +
            "pasted refresh token may no longer work: check again, and if Apicbase refuses, generate a new pair in " +
            "Apicbase.",
          error.code,
        );
      }
      return fromApicbase(error, applicationName);
    }
  }

  try {
    const library = await client.getActiveLibrary(tokens.accessToken);
    return { ok: true, finding: { tokens, library, username: username ?? library.user.email, refreshed } };
  } catch (error) {
    // A pair the portal refreshed lives nowhere else: without a library it cannot be stored, so hand it back.
    if (refreshed) await client.revoke(tokens.refreshToken, "refresh_token").catch(() => undefined);
    return fromApicbase(error, applicationName);
  }
}

// --- The pending import, between "check" and "store" ---

export const IMPORT_COOKIE = "portal_token_import";
export const IMPORT_PATH = "/connections/import";
export const IMPORT_TTL_MS = 15 * 60 * 1000;
const AAD = "token-import";

const pendingImport = z.object({
  userId: z.string(),
  organizationId: z.uuid(),
  applicationId: z.uuid(),
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresAt: z.number(),
  scopes: z.array(z.string()),
  library: z.object({
    id: z.number(),
    name: z.string(),
    status: z.string(),
    user: z.object({ id: z.number(), email: z.string(), firstName: z.string(), lastName: z.string() }),
  }),
  username: z.string().nullable(),
  refreshed: z.boolean(),
  createdAt: z.number(),
});
export type PendingImport = z.infer<typeof pendingImport>;

export function pendingFromFinding(
  finding: ImportFinding,
  args: { userId: string; organizationId: string; applicationId: string; now: Date },
): PendingImport {
  return {
    userId: args.userId,
    organizationId: args.organizationId,
    applicationId: args.applicationId,
    accessToken: finding.tokens.accessToken,
    refreshToken: finding.tokens.refreshToken,
    expiresAt: finding.tokens.expiresAt.getTime(),
    scopes: finding.tokens.scopes,
    library: finding.library,
    username: finding.username,
    refreshed: finding.refreshed,
    createdAt: args.now.getTime(),
  };
}

export function tokenSetOf(pending: PendingImport, now: Date): TokenSet {
  return {
    accessToken: pending.accessToken,
    refreshToken: pending.refreshToken,
    tokenType: "bearer",
    expiresAt: new Date(pending.expiresAt),
    expiresIn: Math.max(0, Math.floor((pending.expiresAt - now.getTime()) / 1000)),
    scopes: pending.scopes,
  };
}

export function sealPendingImport(keyring: Keyring, pending: PendingImport): string {
  return sealJson(keyring, pending, AAD);
}

export function openPendingImport(keyring: Keyring, sealed: string | undefined, now: number): PendingImport | null {
  return openJson(
    keyring,
    sealed,
    AAD,
    pendingImport,
    (pending) => now - pending.createdAt <= IMPORT_TTL_MS && pending.createdAt <= now + 60_000,
  );
}
