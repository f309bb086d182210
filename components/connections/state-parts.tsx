"use client";

import type { RefreshState, VerificationState } from "@/lib/connections/status";
import { REFRESH_TEXT, VERIFICATION_TEXT } from "@/lib/messages/status";
import { LiveDateTime, useMoment } from "./countdown";
import { useNow } from "./now";

/** The last verification's result, marked as history once the tokens it examined are gone. */
export function VerificationSummary({
  verification,
  tokensGone = false,
  long = false,
}: {
  verification: VerificationState | null;
  tokensGone?: boolean;
  long?: boolean;
}) {
  if (tokensGone) return <span className="text-slate-600">{VERIFICATION_TEXT.noTokens}</span>;
  if (!verification)
    return <span className="text-slate-600">{long ? VERIFICATION_TEXT.neverLong : VERIFICATION_TEXT.never}</span>;
  const word = VERIFICATION_TEXT.outcome[verification.outcome];
  const tone = verification.stale
    ? "text-slate-600"
    : verification.outcome === "active"
      ? "text-emerald-800"
      : verification.outcome === "other_library"
        ? "text-amber-800"
        : "text-red-700";
  return (
    <span data-verification={verification.stale ? "stale" : verification.outcome}>
      <span className={`font-semibold ${tone}`}>{word}</span>
      {verification.stale && <span className="text-slate-600"> ({VERIFICATION_TEXT.stale(verification.stale)})</span>}
      {" · "}
      <LiveDateTime value={verification.at} />
    </span>
  );
}

/** A failed refresh: one someone asked for ("Last refresh failed at …, retrying at …") or the engine's own retries. */
export function RefreshNote({ refresh }: { refresh: RefreshState }) {
  const moment = useMoment("past");
  const ahead = useMoment("any");
  const now = useNow();
  if (refresh.kind === "ok") return null;
  const retryAt = ahead(refresh.retryAt);
  const retry = retryAt && REFRESH_TEXT.retry(retryAt, refresh.retryAt!.getTime() <= now.getTime());
  const text =
    refresh.kind === "last_failed"
      ? REFRESH_TEXT.lastFailed(moment(refresh.failedAt), retry, refresh.code)
      : REFRESH_TEXT.failing(refresh.failures, moment(refresh.failedAt), retry, refresh.code);
  return (
    <span
      data-refresh={refresh.kind}
      className={`block text-xs font-medium ${refresh.kind === "failing" ? "text-orange-800" : "text-amber-800"}`}
    >
      {text}
    </span>
  );
}
