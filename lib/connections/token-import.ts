import { z } from "zod";
import type { ActiveLibrary, ApicbaseClient, Introspection, TokenSet } from "@/lib/apicbase/client";
import { ApicbaseError, apicbaseProblem } from "@/lib/apicbase/errors";
import { DEFAULT_EXPIRES_IN } from "@/lib/apicbase/schemas";
import { openJson, sealJson } from "@/lib/crypto/sealed-json";
import type { Keyring } from "@/lib/crypto/secrets";
import { recordId } from "@/lib/forms";
import { IMPORT_FORM_TEXT, type ImportedToken } from "@/lib/messages/token-import";
import type { ImportRefusalCode } from "./codes";

/**
 * Token import: a token pair generated in Apicbase's own UI, handed to the partner, checked with Apicbase before it
 * becomes a connection. The pasted pair is checked by introspection (refreshed once when it has expired) and Get
 * Active Library; between "here is what we found" and "store it" it waits sealed in an HttpOnly cookie, never in
 * the browser in the clear.
 */

const IMPORT_TOKEN_MIN = 16;
/** Apicbase's tokens are 30 characters; the cap keeps a sealed pair well inside one cookie. */
export const IMPORT_TOKEN_MAX = 512;

function importToken(what: ImportedToken) {
  const text = IMPORT_FORM_TEXT;
  return (
    z
      .string({ error: text.empty(what) })
      // Copied tokens often carry spaces or a line break around them, and an access token sometimes "Bearer ".
      .transform((value) => value.trim().replace(what === "access token" ? /^bearer\s+/i : /^$/, ""))
      .pipe(
        z
          .string()
          .min(1, { error: text.empty(what), abort: true })
          .refine((value) => !/\s/.test(value), { error: text.spaces(what), abort: true })
          .refine((value) => /^[\x21-\x7e]*$/.test(value), { error: text.characters(what), abort: true })
          .refine((value) => value.length >= IMPORT_TOKEN_MIN, { error: text.tooShort(what), abort: true })
          .refine((value) => value.length <= IMPORT_TOKEN_MAX, { error: text.tooLong(what), abort: true }),
      )
  );
}

export const importTokensForm = z
  .object({
    organizationId: recordId,
    applicationId: z.uuid(IMPORT_FORM_TEXT.application),
    accessToken: importToken("access token"),
    refreshToken: importToken("refresh token"),
  })
  .refine((form) => form.accessToken !== form.refreshToken, {
    path: ["refreshToken"],
    error: IMPORT_FORM_TEXT.samePair,
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

export type ImportRefusal = ImportRefusalCode & {
  ok: false;
  /** The form field the message belongs to. */
  field: ImportField | null;
  /** For the audit log: Apicbase's error code or the reason, never a token. */
  code: string;
};
export type ImportDecision = { ok: true; finding: ImportFinding } | ImportRefusal;

function refusal(answer: ImportRefusalCode, field: ImportField | null, code: string = answer.reason): ImportRefusal {
  return { ok: false, ...answer, field, code };
}

function fromApicbase(error: unknown, applicationName: string): ImportRefusal {
  const code = error instanceof ApicbaseError ? (error.oauthError ?? error.code) : "portal_error";
  if (error instanceof ApicbaseError && error.code === "forbidden" && error.endpoint === "api") {
    return noAccounts();
  }
  const problem = apicbaseProblem(error);
  const field = error instanceof ApicbaseError && error.isClientCredentialsError ? "applicationId" : null;
  return refusal({ reason: "apicbase", problem, applicationName }, field, code);
}

const noAccounts = () => refusal({ reason: "no_accounts_scope" }, "accessToken");

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
        return refusal({ reason: "other_application", applicationName, issuedTo: other.name }, "applicationId");
      }
    }
    try {
      tokens = await client.refresh({ refreshToken: args.refreshToken });
      refreshed = true;
    } catch (error) {
      if (error instanceof ApicbaseError && error.needsReauthorization) {
        return refusal({ reason: "inactive", applicationName }, "accessToken", "invalid_grant");
      }
      if (error instanceof ApicbaseError && error.ambiguous) {
        return refusal({ reason: "refresh_lost" }, null, error.code);
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
