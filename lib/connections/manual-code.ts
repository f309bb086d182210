import { z } from "zod";
import type { ActionResult } from "@/lib/forms";

/**
 * Manual code entry, for applications without a redirect URL: Apicbase shows the authorization code on its own page
 * ("Please return to your application and enter this code: …", title "Success code=…") and the user pastes it.
 * Pure, so the browser refuses junk before submitting and the server checks the same way before calling Apicbase.
 */

/** How long Apicbase keeps a code, counted from when it showed it. */
export const CODE_LIFETIME_SECONDS = 60;

/** Apicbase's codes are 30 letters and digits; a little leeway either way, nothing else. */
const CODE_SHAPE = /^[A-Za-z0-9]{20,64}$/;
const MAX_INPUT = 4096;

export type ParsedCode =
  | { ok: true; code: string }
  | { ok: false; reason: "empty" | "too_long" | "denied" | "wrong_shape" | "several"; message: string };

export const CODE_MESSAGES = {
  empty: "Paste the code Apicbase showed you.",
  too_long: "That is far longer than an Apicbase code. Copy only the code from Apicbase's page.",
  denied: "Apicbase says the approval was cancelled, so there is no code. Open the link again and choose Authorize.",
  wrong_shape: "That is not an Apicbase code: a code is 30 letters and digits, like “h3VbP0x…”. Copy it from Apicbase's page.",
  several: "That holds more than one code-like value. Paste only the code Apicbase showed you.",
} as const;

const refuse = (reason: Exclude<ParsedCode, { ok: true }>["reason"]): ParsedCode => ({ ok: false, reason, message: CODE_MESSAGES[reason] });

/** Strips quotes, brackets and trailing punctuation a copied word may carry. */
const bare = (word: string) => word.replace(/^[\s"'“”‘’`(<[{]+|[\s"'“”‘’`)>\]},.;:!?]+$/g, "");

/**
 * Finds the code in what was pasted: the code itself with spaces around it, a whole copied line ("enter this code:
 * abc…"), or a URL or query string holding `code=`. Anything else is refused with the reason.
 */
export function parseManualCode(input: string): ParsedCode {
  const text = input.trim();
  if (text === "") return refuse("empty");
  if (text.length > MAX_INPUT) return refuse("too_long");

  // "…?code=abc&state=…", "Success code=abc": the value after code= decides, whatever surrounds it.
  const codeParams = [...text.matchAll(/(?:^|[?&#\s;])code=([^&#\s]*)/g)].map((m) => {
    try {
      return bare(decodeURIComponent(m[1] ?? ""));
    } catch {
      return "";
    }
  });
  if (codeParams.length > 0) {
    const distinct = [...new Set(codeParams)];
    if (distinct.length > 1) return refuse("several");
    return CODE_SHAPE.test(distinct[0]!) ? { ok: true, code: distinct[0]! } : refuse("wrong_shape");
  }
  if (/(?:^|[?&#\s])error=access_denied\b/.test(text)) return refuse("denied");

  const candidates = [...new Set(text.split(/\s+/).map(bare).filter((word) => CODE_SHAPE.test(word)))];
  if (candidates.length === 1) return { ok: true, code: candidates[0]! };
  return refuse(candidates.length > 1 ? "several" : "wrong_shape");
}

/** The same rule as a zod field, for server actions: the parsed code, or the message at the field. */
export const manualCodeField = z.string({ error: CODE_MESSAGES.empty }).transform((value, ctx) => {
  const parsed = parseManualCode(value);
  if (!parsed.ok) {
    ctx.addIssue({ code: "custom", message: parsed.message });
    return z.NEVER;
  }
  return parsed.code;
});

/** The message a partner reads when Apicbase refuses a pasted code (invalid_grant). */
export const CODE_EXPIRED_MESSAGE = "This code has expired or was already used: open the link again.";

/** What the manual code form gets back; `expired` offers the link again. */
export type ManualCodeResult = ActionResult<"code"> & { expired?: boolean };
