"use client";

import { useRouter, useSearchParams } from "next/navigation";
import { useActionState, useEffect, useId, useRef, useState } from "react";
import type { BulkActionResult } from "@/app/(portal)/connections/bulk-actions";
import { buttonClasses } from "@/components/ui/button";
import { filtersQuery, isFiltered, parseConnectionFilters } from "@/lib/connections/view";
import { BULK_ACTION_LABELS } from "@/lib/messages/bulk-jobs";
import { useBulkSelection } from "./bulk-selection";
import { cx, FOCUS_RING, INPUT_FOCUS } from "@/components/ui/classes";

type StartAction = (previous: BulkActionResult | null, formData: FormData) => Promise<BulkActionResult>;

const numberFormat = new Intl.NumberFormat("en");
const plural = (n: number) => `${numberFormat.format(n)} ${n === 1 ? "connection" : "connections"}`;

/**
 * Bulk actions and the CSV export above the list: act on the connections picked in the list, or on every connection
 * the current filters match (all pages). Each action starts a background job and opens its page, where its progress
 * shows (also after a reload) and it can be cancelled. Revoke asks for the one reason first.
 */
export function BulkActionsBar({
  organizationId,
  action,
  matches,
}: {
  organizationId: string | null;
  action: StartAction;
  /** How many connections the URL's filters match (the list's own count; capped when filtered). */
  matches: { total: number; totalCapped: boolean };
}) {
  const router = useRouter();
  const id = useId();
  const selection = useBulkSelection();
  // The list's filters, as the list itself reads them from the URL.
  const filters = parseConnectionFilters(new URLSearchParams(useSearchParams().toString()));
  if (organizationId) filters.organization = null;
  const { total, totalCapped } = matches;
  const totalText = `${numberFormat.format(total)}${totalCapped ? "+" : ""}`;
  const matchQuery = filtersQuery({ ...filters, sort: undefined, dir: undefined, cursor: null });
  const filterQuery = matchQuery.toString();
  const exportQuery = filtersQuery({ ...filters, cursor: null });
  if (organizationId) exportQuery.set("organization", organizationId);
  const exportPath = organizationId ? "/connections/export" : "/admin/connections/export";
  const exportHref = `${exportPath}${exportQuery.size ? `?${exportQuery}` : ""}`;
  const selected = selection ? [...selection.selected] : [];
  const [choice, setChoice] = useState<"selected" | "filter" | null>(null);
  const scope = selected.length === 0 ? "filter" : (choice ?? "selected");
  const [result, dispatch, pending] = useActionState(action, null);
  const dialog = useRef<HTMLDialogElement>(null);
  const count = scope === "selected" ? selected.length : total;
  const filtered = isFiltered(filters);

  useEffect(() => {
    if (result?.ok && result.jobId) router.push(`/connections/jobs/${result.jobId}`);
    if (result && (result.ok || !result.fieldErrors.reason)) dialog.current?.close();
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
          <label className="flex items-center gap-2">
            <input
              type="radio"
              name="scopeChoice"
              value="selected"
              checked={scope === "selected"}
              disabled={selected.length === 0}
              onChange={() => setChoice("selected")}
              className={cx("size-4 accent-sky-700", FOCUS_RING)}
            />
            {selected.length === 0
              ? "Selected connections (none selected: tick them in the list)"
              : `The ${plural(selected.length)} selected`}
          </label>
          <label className="flex items-center gap-2">
            <input
              type="radio"
              name="scopeChoice"
              value="filter"
              checked={scope === "filter"}
              onChange={() => setChoice("filter")}
              className={cx("size-4 accent-sky-700", FOCUS_RING)}
            />
            {`All ${totalText} ${total === 1 && !totalCapped ? "connection" : "connections"}`}
            {filtered ? " matching this search" : ""}
            {filtered ? "" : organizationId ? " of this organization" : " of every organization"}
          </label>
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
            onClick={() => dialog.current?.showModal()}
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
      <dialog
        ref={dialog}
        aria-labelledby={`${id}-revoke-title`}
        className={cx(
          "m-auto w-[min(32rem,calc(100vw-2rem))] rounded-xl border border-slate-200",
          "bg-white p-6 text-left text-slate-900 shadow-xl backdrop:bg-slate-900/40",
        )}
      >
        <form action={dispatch} className="space-y-4">
          {fields}
          <input type="hidden" name="action" value="revoke" />
          <h2 id={`${id}-revoke-title`} className="text-lg font-semibold">
            Revoke {plural(count)}?
          </h2>
          <p className="text-sm leading-6 text-slate-700">
            Each is revoked at Apicbase where it offers revocation, and its tokens are deleted; the connections stay
            listed as revoked, with this reason. Revoked connections are left out.
          </p>
          <div>
            <label htmlFor={`${id}-reason`} className="block text-sm font-medium text-slate-800">
              Reason (the organization and the audit log see it)
            </label>
            <textarea
              id={`${id}-reason`}
              name="reason"
              rows={2}
              required
              maxLength={500}
              aria-invalid={reasonError ? true : undefined}
              aria-describedby={reasonError ? `${id}-reason-error` : undefined}
              className={cx(
                "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900",
                INPUT_FOCUS,
              )}
            />
            {reasonError && (
              <p id={`${id}-reason-error`} className="mt-1 text-sm text-red-700">
                {reasonError}
              </p>
            )}
          </div>
          <div className="flex justify-end gap-2">
            <button type="button" onClick={() => dialog.current?.close()} className={buttonClasses("secondary")}>
              Cancel
            </button>
            <button type="submit" disabled={pending} className={buttonClasses("primary")}>
              {pending ? "Starting…" : `Yes, revoke ${plural(count)}`}
            </button>
          </div>
        </form>
      </dialog>
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
