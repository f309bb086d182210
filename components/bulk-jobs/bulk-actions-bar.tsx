"use client";

import { useRouter } from "next/navigation";
import { lazy, Suspense, useActionState, useEffect, useId, useState } from "react";
import type { BulkActionResult } from "@/app/(portal)/connections/bulk-actions";
import { buttonClasses } from "@/components/ui/button";
import { countText } from "@/lib/connections/list-url";
import { BULK_ACTION_LABELS } from "@/lib/messages/bulk-jobs";
import { useBulkSelection } from "./bulk-selection";
import { cx, FOCUS_RING } from "@/components/ui/classes";

/**
 * Fetched when Revoke… is pressed, not with the dashboard (issue 15: first-load JavaScript at most 150 kB). React's
 * lazy, not next/dynamic, whose loader would cost more than the dialog.
 */
const RevokeDialog = lazy(() => import("./revoke-dialog").then((m) => ({ default: m.RevokeDialog })));

type StartAction = (previous: BulkActionResult | null, formData: FormData) => Promise<BulkActionResult>;

const plural = (n: number) => countText(n, false);

/**
 * Bulk actions and the CSV export above the list: act on the connections picked in the list, or on every connection
 * the current filters match (all pages). Each action starts a background job and opens its page, where its progress
 * shows (also after a reload) and it can be cancelled. Revoke asks for the one reason first.
 */
export function BulkActionsBar({
  organizationId,
  action,
  matches,
  filterQuery,
  filtered,
  exportHref,
}: {
  organizationId: string | null;
  action: StartAction;
  /** How many connections the URL's filters match (the list's own count; capped when filtered). */
  matches: { total: number; totalCapped: boolean };
  /** The list's filters as a query (no sort or page): what "all matching" means to the job. */
  filterQuery: string;
  /** Whether any filter or search narrows the list. */
  filtered: boolean;
  /** The CSV export of the list as filtered and sorted. */
  exportHref: string;
}) {
  const router = useRouter();
  const id = useId();
  const selection = useBulkSelection();
  const { total, totalCapped } = matches;
  const selected = selection ? [...selection.selected] : [];
  const [choice, setChoice] = useState<"selected" | "filter" | null>(null);
  const scope = selected.length === 0 ? "filter" : (choice ?? "selected");
  const [result, dispatch, pending] = useActionState(action, null);
  // The dialog stays open from Revoke… until closed, or until an answer other than "give a reason" comes back.
  const [revokeOpenedWith, setRevokeOpenedWith] = useState<{ result: BulkActionResult | null } | null>(null);
  const count = scope === "selected" ? selected.length : total;
  // What the action applies to, truthfully: "4 connections", or "more than 10,000 connections" past the count's cap.
  const countWords = scope === "selected" ? plural(selected.length) : countText(total, totalCapped);

  useEffect(() => {
    if (result?.ok && result.jobId) router.push(`/connections/jobs/${result.jobId}`);
  }, [result, router]);

  const fields = (
    <>
      <input type="hidden" name="organizationId" value={organizationId ?? ""} />
      <input type="hidden" name="scope" value={scope} />
      <input type="hidden" name="filterQuery" value={filterQuery} />
      {scope === "selected" &&
        selected.map((connectionId) => (
          <input key={connectionId} type="hidden" name="connectionIds" value={connectionId} />
        ))}
    </>
  );
  const reasonError = result && !result.ok ? result.fieldErrors.reason : undefined;
  const revoking = revokeOpenedWith !== null && (result === revokeOpenedWith.result || reasonError !== undefined);
  const none = count === 0 || pending;

  return (
    <section
      aria-labelledby={`${id}-title`}
      className="space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id={`${id}-title`} className="text-base font-semibold text-slate-900">
          Act on many connections
        </h2>
        <a
          href={exportHref}
          download
          className={cx(
            "rounded text-sm font-medium text-sky-800 underline underline-offset-2 hover:text-sky-950",
            FOCUS_RING,
          )}
        >
          Export {filtered ? "matching connections" : "all connections"} as CSV
        </a>
      </div>
      <form action={dispatch} className="space-y-3">
        {fields}
        <fieldset className="flex flex-wrap gap-x-6 gap-y-2 text-sm text-slate-800">
          <legend className="sr-only">Apply to</legend>
          <ScopeOption value="selected" scope={scope} disabled={selected.length === 0} onChoose={setChoice}>
            {selected.length === 0
              ? "Selected connections (none selected: tick them in the list)"
              : `The ${plural(selected.length)} selected`}
          </ScopeOption>
          <ScopeOption value="filter" scope={scope} onChoose={setChoice}>
            {totalCapped ? "All connections" : `All ${plural(total)}`}
            {filtered ? " matching this search" : organizationId ? " of this organization" : " of every organization"}
            {totalCapped ? ` (${countText(total, true).replace(/ connections$/, "")})` : ""}
          </ScopeOption>
        </fieldset>
        <div className="flex flex-wrap items-center gap-2">
          {(["verify", "refresh", "reauthorization_links"] as const).map((value) => (
            <button
              key={value}
              type="submit"
              name="action"
              value={value}
              disabled={none}
              className={buttonClasses("secondary", "sm")}
            >
              {BULK_ACTION_LABELS[value]}
            </button>
          ))}
          <button
            type="button"
            disabled={none}
            aria-haspopup="dialog"
            onClick={() => setRevokeOpenedWith({ result })}
            className={buttonClasses("danger", "sm")}
          >
            Revoke…
          </button>
          {selection && selected.length > 0 && (
            <button type="button" onClick={() => selection.clear()} className={buttonClasses("quiet")}>
              Clear selection
            </button>
          )}
        </div>
      </form>
      {revoking && (
        <Suspense fallback={null}>
          <RevokeDialog
            title={`Revoke ${countWords}?`}
            confirm={`Yes, revoke ${countWords}`}
            fields={fields}
            dispatch={dispatch}
            pending={pending}
            reasonError={reasonError}
            onClose={() => setRevokeOpenedWith(null)}
          />
        </Suspense>
      )}
      <p role="status" className={`text-sm ${result && !result.ok ? "font-medium text-red-700" : "text-slate-700"}`}>
        {pending
          ? "Starting…"
          : result && !result.ok && result.fieldErrors.connectionIds
            ? `Nothing was started: ${result.fieldErrors.connectionIds}`
            : (result?.message ?? "")}
      </p>
    </section>
  );
}

type Scope = "selected" | "filter";

/** One "Apply to" radio button: checked when it is the scope in force. */
function ScopeOption({
  value,
  scope,
  disabled,
  onChoose,
  children,
}: {
  value: Scope;
  scope: Scope;
  disabled?: boolean;
  onChoose: (value: Scope) => void;
  children: React.ReactNode;
}) {
  return (
    <label className="flex items-center gap-2">
      <input
        type="radio"
        name="scopeChoice"
        value={value}
        checked={scope === value}
        disabled={disabled}
        onChange={() => onChoose(value)}
        className={cx("size-4 accent-sky-700", FOCUS_RING)}
      />
      {children}
    </label>
  );
}
