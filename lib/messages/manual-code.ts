/**
 * What manual code entry says: why a pasted code was refused before anything was sent, and why Apicbase refused a
 * well-formed one (lib/connections/manual-code.ts decides, with a reason).
 */
import { CODE_LIFETIME_SECONDS, type ManualCodeRefusal, type RefusedCodeReason } from "@/lib/connections/codes";

export const CODE_MESSAGES: Record<ManualCodeRefusal, string> = {
  empty: "Paste the code Apicbase showed you.",
  too_long: "That is far longer than an Apicbase code. Copy only the code from Apicbase's page.",
  denied: "Apicbase says the approval was cancelled, so there is no code. Open the link again and choose Authorize.",
  wrong_shape:
    "That is not an Apicbase code: a code is 30 letters and digits, like “h3VbP0x…”. Copy it from Apicbase's page.",
  several: "That holds more than one code-like value. Paste only the code Apicbase showed you.",
};

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

export const REFUSED_CODE_MESSAGES: Record<RefusedCodeReason, string> = {
  never_opened: CODE_NOT_THIS_ATTEMPT_MESSAGE,
  too_late: CODE_TOO_LATE_MESSAGE,
  expired_or_used: CODE_EXPIRED_MESSAGE,
};
