import { z } from "zod";
import type { ActionResult } from "@/lib/forms";
import { CODE_MESSAGES } from "@/lib/messages/manual-code";
import { CODE_LIFETIME_SECONDS, type ManualCodeRefusal, type RefusedCodeReason } from "./codes";

export { CODE_LIFETIME_SECONDS };

/**
 * Manual code entry, for applications without a redirect URL: Apicbase shows the authorization code on its own page
 * ("Please return to your application and enter this code: …", title "Success code=…") and the user pastes it.
 * Pure, so the browser refuses junk before submitting and the server checks the same way before calling Apicbase.
 */

/** Apicbase's codes are 30 letters and digits; a little leeway either way, nothing else. */
const CODE_SHAPE = /^[A-Za-z0-9]{20,64}$/;
const MAX_INPUT = 4096;

/** The code, or why the input holds none (lib/messages/manual-code.ts words it: CODE_MESSAGES). */
export type ParsedCode = { ok: true; code: string } | { ok: false; reason: ManualCodeRefusal };

const refuse = (reason: ManualCodeRefusal): ParsedCode => ({ ok: false, reason });

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
    ctx.addIssue({ code: "custom", message: CODE_MESSAGES[parsed.reason] });
    return z.NEVER;
  }
  return parsed.code;
});

/**
 * Why Apicbase refused a well-formed code (it only says invalid_grant), from what this page knows: whether and how
 * long ago the approval page was opened from it (`openedSecondsAgo`: null never, undefined unknown, e.g. no script).
 */
export function refusedCodeReason(openedSecondsAgo: number | null | undefined): RefusedCodeReason {
  if (openedSecondsAgo === null) return "never_opened";
  if (openedSecondsAgo !== undefined && openedSecondsAgo > CODE_LIFETIME_SECONDS) return "too_late";
  return "expired_or_used";
}

/** The form's hidden field: "" when the approval page was never opened from it, else seconds since; absent: unknown. */
export function parseOpenedSecondsAgo(value: FormDataEntryValue | null): number | null | undefined {
  if (value === null || typeof value !== "string") return undefined;
  if (value === "") return null;
  const seconds = Number(value);
  return Number.isInteger(seconds) && seconds >= 0 && seconds < 86_400 ? seconds : undefined;
}

/** What the manual code form gets back; `expired` offers the link again (`neverOpened`: for the first time). */
export type ManualCodeResult = ActionResult<"code"> & { expired?: boolean; neverOpened?: boolean };
