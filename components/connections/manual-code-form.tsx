"use client";

import { useActionState, useEffect, useRef, useState } from "react";
import { buttonClasses } from "@/components/ui/button";
import { SubmitButton } from "@/components/ui/submit-button";
import { TextField } from "@/components/ui/text-field";
import { CODE_LIFETIME_SECONDS, parseManualCode, type ManualCodeResult } from "@/lib/connections/manual-code";
import { CODE_MESSAGES } from "@/lib/messages/manual-code";
import { cx } from "@/components/ui/classes";

type Action = (previous: ManualCodeResult | null, formData: FormData) => Promise<ManualCodeResult>;

/** What a screen reader hears, politely and only when a threshold passes, never every second. */
function announcement(left: number | null): string {
  if (left === null) return "";
  if (left > 30)
    return `Apicbase's approval page is open in a new tab. About ${CODE_LIFETIME_SECONDS} seconds to paste its code.`;
  if (left > 10) return "About 30 seconds left to paste the code.";
  if (left > 0) return "About 10 seconds left to paste the code.";
  return "Time is up: the code has most likely expired. Open the link again for a new one.";
}

const display = (seconds: number) => `0:${String(seconds).padStart(2, "0")}`;

/**
 * Manual code entry: open Apicbase's approval page in a new tab, paste the code it shows. A 60-second countdown
 * starts when the link is opened; a paste is exchanged at once, junk is refused here without a request.
 */
export function ManualCodeForm({ authorizeUrl, action }: { authorizeUrl: string; action: Action }) {
  const [state, formAction] = useActionState(action, null);
  const [openedAt, setOpenedAt] = useState<number | null>(null);
  const [now, setNow] = useState(0);
  const [clientError, setClientError] = useState<string | null>(null);
  const [shownState, setShownState] = useState(state);
  const formRef = useRef<HTMLFormElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  // The moment the link was opened survives a reload of this page (this tab only): Apicbase's clock keeps running.
  const storageKey = `manual-code-opened:${authorizeUrl}`;
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- only the browser knows whether the link was opened
    setHydrated(true);
  }, []);
  useEffect(() => {
    const stored = Number(window.sessionStorage.getItem(storageKey));
    if (Number.isFinite(stored) && stored > 0 && Date.now() - stored < 10 * 60_000) {
      // eslint-disable-next-line react-hooks/set-state-in-effect -- read once from the browser after hydration
      setOpenedAt(stored);
      setNow(Date.now());
    }
  }, [storageKey]);

  // A refused code is spent: the countdown waits for the next visit of the link.
  if (state !== shownState) {
    setShownState(state);
    if (state?.expired) {
      setOpenedAt(null);
      window.sessionStorage.removeItem(storageKey);
    }
  }

  useEffect(() => {
    if (openedAt === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [openedAt]);

  const left =
    openedAt === null
      ? null
      : Math.max(0, CODE_LIFETIME_SECONDS - Math.floor((Math.max(now, openedAt) - openedAt) / 1000));
  const opened = () => {
    const at = Date.now();
    window.sessionStorage.setItem(storageKey, String(at));
    setOpenedAt(at);
    setNow(at);
    setClientError(null);
    // A new code is on its way: whatever was typed before is of no use.
    if (inputRef.current) inputRef.current.value = "";
    inputRef.current?.focus();
  };

  const serverError = state && !state.ok ? (state.fieldErrors.code ?? null) : null;
  const error = clientError ?? serverError ?? undefined;
  const tone = left === null ? "idle" : left > 20 ? "ok" : left > 0 ? "hurry" : "over";
  const toneClasses = {
    idle: "border-slate-200 bg-slate-50 text-slate-800",
    ok: "border-emerald-300 bg-emerald-50 text-emerald-950",
    hurry: "border-amber-300 bg-amber-50 text-amber-950",
    over: "border-red-300 bg-red-50 text-red-900",
  }[tone];

  const link = (label: string, variant: "primary" | "secondary") => (
    <a
      href={authorizeUrl}
      target="_blank"
      rel="noopener noreferrer"
      onClick={opened}
      onAuxClick={opened}
      className={buttonClasses(variant)}
    >
      {label}
      <span aria-hidden="true">↗</span>
      <span className="sr-only"> (opens in a new tab)</span>
    </a>
  );

  return (
    <div className="space-y-6">
      <ol className="list-decimal space-y-2 pl-5 text-sm leading-6 text-slate-700">
        <li>
          Open Apicbase&apos;s approval page. It opens in a new tab; log in there as the library&apos;s user and choose
          Authorize.
        </li>
        <li>
          Apicbase then shows a code instead of sending you back. Copy it: the code alone, the whole line or the
          page&apos;s address all work.
        </li>
        <li>Paste it below within 60 seconds. The portal connects the library at once.</li>
      </ol>

      {state && !state.ok && state.expired && openedAt === null ? (
        <div
          role="alert"
          className={cx(
            "flex flex-wrap items-center justify-between gap-3 rounded-xl",
            "border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900",
          )}
        >
          <p className="flex gap-2 font-medium">
            <span aria-hidden="true">✕</span>
            <span>{state.message}</span>
          </p>
          {link(state.neverOpened ? "Open Apicbase's approval page" : "Open the link again", "primary")}
        </div>
      ) : (
        <div className="flex flex-wrap items-center gap-3">
          {link(
            openedAt === null ? "Open Apicbase's approval page" : "Open the approval page again",
            openedAt === null ? "primary" : "secondary",
          )}
        </div>
      )}

      <div className={`rounded-xl border px-4 py-3 ${toneClasses}`} data-countdown={tone}>
        {left === null ? (
          <p className="text-sm font-medium">The 60-second countdown starts when you open the approval page.</p>
        ) : (
          <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1">
            <p
              role="timer"
              aria-label="Time left to paste the code"
              className="font-mono text-3xl font-bold tabular-nums"
            >
              {display(left)}
            </p>
            <p className="text-sm font-medium">
              {left > 0
                ? left > 20
                  ? "left to paste the code."
                  : "left: paste the code now."
                : "Time is up: the code has most likely expired. " +
                  "You can still try it, or open the approval page again for a new code."}
            </p>
          </div>
        )}
        <p className="mt-1 text-sm">
          Apicbase counts the 60 seconds from when it showed you the code, so you have a little less than the countdown
          says.
        </p>
        <p className="sr-only" aria-live="polite">
          {announcement(left)}
        </p>
      </div>

      <form
        ref={formRef}
        action={formAction}
        noValidate
        className="space-y-4"
        onSubmit={(event) => {
          const parsed = parseManualCode(inputRef.current?.value ?? "");
          if (!parsed.ok) {
            event.preventDefault();
            setClientError(CODE_MESSAGES[parsed.reason]);
            inputRef.current?.focus();
            return;
          }
          setClientError(null);
        }}
      >
        {/* Whether (and how long ago) the approval page was opened from here: Apicbase's refusal alone cannot tell. */}
        {hydrated && (
          <input
            type="hidden"
            name="opened_seconds_ago"
            value={
              openedAt === null ? "" : String(Math.max(0, Math.floor((Math.max(now, openedAt) - openedAt) / 1000)))
            }
          />
        )}
        <TextField
          ref={inputRef}
          id="manual-code"
          name="code"
          label="Code from Apicbase"
          hint={
            "Pasting connects at once. " +
            "Spaces around the code, the whole copied line or the full address with code= are fine."
          }
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          error={error}
          onChange={() => setClientError(null)}
          onPaste={(event) => {
            const pasted = event.clipboardData.getData("text");
            if (!pasted) return;
            event.preventDefault();
            const parsed = parseManualCode(pasted);
            event.currentTarget.value = parsed.ok ? parsed.code : pasted.trim();
            if (!parsed.ok) {
              setClientError(CODE_MESSAGES[parsed.reason]);
              return;
            }
            setClientError(null);
            formRef.current?.requestSubmit();
          }}
          className="max-w-xl"
        />
        <SubmitButton pendingLabel="Connecting…">Connect with this code</SubmitButton>
      </form>

      {state && !state.ok && !state.expired && !state.fieldErrors.code && (
        <p
          role="alert"
          className="rounded-xl border border-red-300 bg-red-50 px-4 py-3 text-sm font-medium text-red-900"
        >
          {state.message}
        </p>
      )}
    </div>
  );
}
