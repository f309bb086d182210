"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useActionState, useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ConnectionActionResult } from "@/app/(portal)/connections/actions";
import type { ConnectionState, DisplayStatus } from "@/lib/connections/status";
import type { ConnectionDetailView } from "@/lib/connections/view";
import { ACTION_TEXT, STATUS_LABELS } from "@/lib/messages/status";
import { queryKeys } from "@/lib/query-keys";
import { formatAbsolute } from "@/lib/time";
import { useTimeZone } from "./now";
import { ScopeChips } from "./scope-chips";
import { cx, INPUT_FOCUS } from "@/components/ui/classes";

type Verification = NonNullable<ConnectionActionResult["verification"]>;
type StateAction = (previous: ConnectionActionResult | null, formData: FormData) => Promise<ConnectionActionResult>;

export type ConnectionActionFunctions = {
  refresh: StateAction;
  verify: StateAction;
  disconnect: StateAction;
  /** Redirects to Apicbase: a plain form action. */
  reauthorize: (formData: FormData) => Promise<void>;
};

type Intent = "refresh" | "verify" | "disconnect";
type Outcome = { intent: Intent; result: ConnectionActionResult } | null;

/**
 * "Refresh", "Verify", "Re-authorize" and "Revoke". Each server action checks the caller again; the result shows here
 * in a live region, and the connection's data is fetched again so the page shows the new state. While one runs (it
 * says so on its button) the others are disabled: a refresh and a revoke of the same connection must not race.
 */
export function ConnectionActions({
  connection,
  status,
  can,
  actions,
}: {
  connection: ConnectionDetailView;
  status: DisplayStatus;
  can: ConnectionState["can"];
  actions: ConnectionActionFunctions;
}) {
  const queryClient = useQueryClient();
  const [running, setRunning] = useState<Intent | "reauthorize" | null>(null);
  const [outcome, dispatch, acting] = useActionState(
    async (_previous: Outcome, formData: FormData): Promise<Outcome> => {
      const intent = String(formData.get("intent")) as Intent;
      const action =
        intent === "verify" ? actions.verify : intent === "disconnect" ? actions.disconnect : actions.refresh;
      const result = await action(null, formData);
      await queryClient.invalidateQueries({ queryKey: queryKeys.connections.all });
      return { intent, result };
    },
    null,
  );
  const [, reauthorize, reauthorizing] = useActionState(async (_previous: null, formData: FormData): Promise<null> => {
    await actions.reauthorize(formData);
    return null;
  }, null);
  const busy = acting || reauthorizing;
  const dialog = useRef<HTMLDialogElement>(null);

  // The dialog stays open when the reason was refused, to show why at the field.
  const reasonError =
    outcome?.intent === "disconnect" && !outcome.result.ok ? outcome.result.fieldErrors.reason : undefined;
  const typedReason =
    outcome?.intent === "disconnect" && !outcome.result.ok ? (outcome.result.values?.reason ?? "") : "";
  useEffect(() => {
    if (outcome?.intent === "disconnect" && !reasonError) dialog.current?.close();
  }, [outcome, reasonError]);

  const revoked = connection.status === "revoked";
  const revoking = connection.status === "revoking";
  const start = (intent: Intent | "reauthorize") => () => setRunning(intent);
  const hidden = (intent: Intent) => (
    <>
      <input type="hidden" name="connectionId" value={connection.id} />
      <input type="hidden" name="intent" value={intent} />
    </>
  );

  return (
    <section
      aria-labelledby="actions-title"
      aria-busy={busy}
      data-running={busy ? (running ?? "") : undefined}
      className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
    >
      <h2 id="actions-title" className="text-lg font-semibold text-slate-900">
        Actions
      </h2>
      <p className="mt-1 text-sm leading-6 text-slate-600">
        {revoked
          ? "This connection is revoked and holds no tokens. Re-authorize it to connect the library again under the " +
            "same connection, with its history."
          : revoking
            ? "This connection is being revoked: nothing uses its tokens any more, and the portal keeps asking " +
              "Apicbase to revoke the grant. Revoke tries again now."
            : "Refresh gets a new token pair now. " +
              "Verify asks Apicbase whether the access token is still active and which library it reaches. " +
              "Re-authorize runs the approval again at Apicbase: " +
              `${connection.approvedBy?.email ?? "the approving user"} ` +
              `logs in with ${connection.libraryName} as active library.`}
      </p>

      <div className="mt-4 flex flex-wrap items-center gap-3">
        {can.refresh && (
          <form action={dispatch} onSubmit={start("refresh")}>
            {hidden("refresh")}
            <SubmitButton pendingLabel={ACTION_TEXT.refresh.running} disabled={busy}>
              {ACTION_TEXT.refresh.label}
            </SubmitButton>
          </form>
        )}
        {can.verify && (
          <form action={dispatch} onSubmit={start("verify")}>
            {hidden("verify")}
            <SubmitButton variant="secondary" pendingLabel={ACTION_TEXT.verify.running} disabled={busy}>
              {ACTION_TEXT.verify.label}
            </SubmitButton>
          </form>
        )}
        {can.reauthorize && (
          <form action={reauthorize} onSubmit={start("reauthorize")}>
            <input type="hidden" name="connectionId" value={connection.id} />
            <SubmitButton variant="secondary" pendingLabel={ACTION_TEXT.reauthorize.running} disabled={busy}>
              {ACTION_TEXT.reauthorize.label}
            </SubmitButton>
          </form>
        )}
        {can.revoke && (
          <Button variant="danger" onClick={() => dialog.current?.showModal()} aria-haspopup="dialog" disabled={busy}>
            {running === "disconnect" && busy ? ACTION_TEXT.revoke.running : ACTION_TEXT.revoke.label}
          </Button>
        )}
        {busy && <p className="text-sm text-slate-600">{ACTION_TEXT.busy}</p>}
      </div>

      <div
        role="status"
        aria-live="polite"
        aria-atomic="true"
        aria-label="Result of the last action"
        className="mt-4 empty:hidden"
      >
        {outcome && <ActionOutcome outcome={outcome} connection={connection} status={status} />}
      </div>

      <dialog
        ref={dialog}
        aria-labelledby="disconnect-title"
        aria-describedby="disconnect-description"
        className={cx(
          "m-auto w-[min(32rem,calc(100vw-2rem))] rounded-xl border border-slate-200",
          "bg-white p-6 text-slate-900 shadow-xl backdrop:bg-slate-900/40",
        )}
      >
        <form action={dispatch} onSubmit={start("disconnect")} className="space-y-4">
          {hidden("disconnect")}
          <h2 id="disconnect-title" className="text-lg font-semibold">
            {ACTION_TEXT.revoke.title(connection.libraryName)}
          </h2>
          <p id="disconnect-description" className="text-sm leading-6 text-slate-700">
            The portal asks Apicbase to revoke this connection&apos;s grant and deletes its tokens. Backends that fetch
            tokens for library {connection.libraryId} stop working until someone re-authorizes it. The connection and
            its history stay, marked as revoked.
          </p>
          <div>
            <label htmlFor="disconnect-reason" className="block text-sm font-medium text-slate-900">
              Reason <span className="font-normal text-slate-600">(required)</span>
            </label>
            <p id="disconnect-reason-hint" className="text-sm text-slate-600">
              Shown on the connection&apos;s page to its organization and kept in the audit log, e.g. &ldquo;customer
              ended the contract&rdquo;.
            </p>
            <textarea
              // A refused reason comes back as typed: React resets a form after its action.
              key={typedReason}
              id="disconnect-reason"
              name="reason"
              required
              autoFocus
              minLength={3}
              maxLength={500}
              rows={3}
              defaultValue={typedReason}
              aria-invalid={reasonError ? true : undefined}
              aria-describedby={
                reasonError ? "disconnect-reason-hint disconnect-reason-error" : "disconnect-reason-hint"
              }
              className={cx(
                "mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-sm text-slate-900 shadow-xs",
                INPUT_FOCUS,
                "aria-[invalid=true]:border-red-600",
              )}
            />
            {reasonError && (
              <p id="disconnect-reason-error" className="mt-1 text-sm font-medium text-red-700">
                {reasonError}
              </p>
            )}
          </div>
          <div className="flex flex-wrap justify-end gap-3">
            <Button variant="secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </Button>
            <SubmitButton variant="danger" pendingLabel={ACTION_TEXT.revoke.running}>
              {ACTION_TEXT.revoke.confirm}
            </SubmitButton>
          </div>
        </form>
      </dialog>
    </section>
  );
}

function ActionOutcome({
  outcome,
  connection,
  status,
}: {
  outcome: NonNullable<Outcome>;
  connection: ConnectionDetailView;
  status: DisplayStatus;
}) {
  const { intent, result } = outcome;
  return (
    <div
      data-tone={result.ok ? (result.warning ? "warning" : "success") : "error"}
      className={`rounded-lg border px-4 py-3 text-sm leading-6 ${
        result.ok
          ? result.warning
            ? "border-amber-300 bg-amber-50 text-amber-950"
            : "border-emerald-300 bg-emerald-50 text-emerald-950"
          : "border-red-300 bg-red-50 text-red-900"
      }`}
    >
      <p className="font-medium">{result.message}</p>
      {intent === "verify" && result.verification && (
        <VerificationTable verification={result.verification} connection={connection} status={status} />
      )}
    </div>
  );
}

function VerificationTable({
  verification,
  connection,
  status,
}: {
  verification: Verification;
  connection: ConnectionDetailView;
  status: DisplayStatus;
}) {
  const timeZone = useTimeZone();
  const when = (value: string | null) => (value ? formatAbsolute(new Date(value), timeZone) : "Unknown");
  const cell = "px-3 py-2 align-top";
  return (
    <table
      className={cx(
        "mt-3 w-full border-collapse overflow-hidden rounded-lg bg-white",
        "text-left text-sm text-slate-900 ring-1 ring-slate-200",
      )}
    >
      <caption className="sr-only">What Apicbase says about the access token, next to what the portal holds</caption>
      <thead className="bg-slate-50 text-xs tracking-wide text-slate-600 uppercase">
        <tr>
          <th scope="col" className={cell}>
            <span className="sr-only">Property</span>
          </th>
          <th scope="col" className={cell}>
            Apicbase (introspection)
          </th>
          <th scope="col" className={cell}>
            Portal
          </th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        <tr>
          <th scope="row" className={`${cell} font-medium`}>
            Active
          </th>
          <td className={cell}>{verification.active ? "Yes" : "No"}</td>
          <td className={cell}>{STATUS_LABELS[status]}</td>
        </tr>
        <tr>
          <th scope="row" className={`${cell} font-medium`}>
            Scopes
          </th>
          <td className={cell}>
            {verification.scopes ? (
              <ScopeChips scopes={verification.scopes} label="Scopes at Apicbase" />
            ) : (
              "Not reported"
            )}
          </td>
          <td className={cell}>
            <ScopeChips scopes={connection.scopes} label="Scopes the portal holds" />
          </td>
        </tr>
        <tr>
          <th scope="row" className={`${cell} font-medium`}>
            Access token expires
          </th>
          <td className={cell}>{verification.active ? when(verification.serverExpiresAt) : "Not reported"}</td>
          <td className={cell}>{when(verification.portalExpiresAt)}</td>
        </tr>
        <tr>
          <th scope="row" className={`${cell} font-medium`}>
            Library reached
          </th>
          <td className={cell}>
            {verification.activeLibrary
              ? `${verification.activeLibrary.name} (${verification.activeLibrary.id})`
              : "Not reported"}
          </td>
          <td className={cell}>{`${connection.libraryName} (${connection.libraryId})`}</td>
        </tr>
      </tbody>
    </table>
  );
}
