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
  wrong_shape:
    "That is not an Apicbase code: a code is 30 letters and digits, like “h3VbP0x…”. Copy it from Apicbase's page.",
  several: "That holds more than one code-like value. Paste only the code Apicbase showed you.",
} as const;

const refuse = (reason: Exclude<ParsedCode, { ok: true }>["reason"]): ParsedCode => ({
  ok: false,
  reason,
  message: CODE_MESSAGES[reason],
});

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

  const candidates = [
    ...new Set(
      text
        .split(/\s+/)
        .map(bare)
        .filter((word) => CODE_SHAPE.test(word)),
    ),
  ];
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

/** Refused, and the link was opened longer ago than a code lives: it expired. */
export const CODE_TOO_LATE_MESSAGE =
  `This code has expired: Apicbase's codes work for ${CODE_LIFETIME_SECONDS} seconds after it shows them. ` +
  "Open the link again for a new one.";

/** Refused, and the approval page was never opened from this attempt's page: the code cannot be this attempt's. */
export const CODE_NOT_THIS_ATTEMPT_MESSAGE =
  "You have not opened Apicbase's approval page from this page yet, so this code is not one Apicbase issued for this " +
  "attempt (a code from an earlier attempt or another browser does not work here). Open the approval page, choose " +
  "Authorize and paste the code it shows.";

/**
 * Why Apicbase refused a well-formed code (it only says invalid_grant), from what this page knows: whether and how
 * long ago the approval page was opened from it (`openedSecondsAgo`: null never, undefined unknown, e.g. no script).
 */
export function refusedCodeReason(
  openedSecondsAgo: number | null | undefined,
): "never_opened" | "too_late" | "expired_or_used" {
  if (openedSecondsAgo === null) return "never_opened";
  if (openedSecondsAgo !== undefined && openedSecondsAgo > CODE_LIFETIME_SECONDS) return "too_late";
  return "expired_or_used";
}

export const REFUSED_CODE_MESSAGES = {
  never_opened: CODE_NOT_THIS_ATTEMPT_MESSAGE,
  too_late: CODE_TOO_LATE_MESSAGE,
  expired_or_used: CODE_EXPIRED_MESSAGE,
} as const;

/** The form's hidden field: "" when the approval page was never opened from it, else seconds since; absent: unknown. */
export function parseOpenedSecondsAgo(value: FormDataEntryValue | null): number | null | undefined {
  if (value === null || typeof value !== "string") return undefined;
  if (value === "") return null;
  const seconds = Number(value);
  return Number.isInteger(seconds) && seconds >= 0 && seconds < 86_400 ? seconds : undefined;
}

/** What the manual code form gets back; `expired` offers the link again (`neverOpened`: for the first time). */
export type ManualCodeResult = ActionResult<"code"> & { expired?: boolean; neverOpened?: boolean };
