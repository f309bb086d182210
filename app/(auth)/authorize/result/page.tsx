import type { Metadata } from "next";
import { headers } from "next/headers";
import { getKeyring } from "@/lib/connections/keyring";
import { LINK_RESULT_HEADER, openLinkResult } from "@/lib/connections/link-result";
import { CONNECT_ERRORS, isConnectErrorKey } from "@/lib/connections/notices";
import { linkResult } from "@/lib/dal/links";

export const metadata: Metadata = { title: "Approval result" };
export const dynamic = "force-dynamic";

/** The result proxy.ts handed over for this view, if it is genuine and fresh. */
function handedOverResult(sealed: string | null) {
  return openLinkResult(getKeyring(), sealed, Date.now());
}

/**
 * Where the holder of an authorization link lands after Apicbase: the outcome in words. The outcome comes only from
 * the sealed, single-use cookie the connect callback set (proxy.ts hands it over for this one view), never from the
 * URL; without it, the page says that there is nothing to show.
 */
export default async function AuthorizationResultPage() {
  const result = handedOverResult((await headers()).get(LINK_RESULT_HEADER));
  if (!result) {
    return (
      <div className="space-y-4">
        <h1 className="text-3xl font-bold tracking-tight text-slate-900">No result to show</h1>
        <p role="status" className="rounded-lg border border-slate-300 bg-slate-50 px-4 py-3 leading-7 text-slate-800">
          This page shows the outcome of an approval once, right after Apicbase sends you back. There is none for this
          browser now (the page was reloaded, opened later, or opened from somewhere else).
        </p>
        <p className="leading-7 text-slate-700">
          To approve again, open the link you were sent; if it no longer works, ask the partner for a new one.
        </p>
      </div>
    );
  }

  const { outcome } = result;
  const { organizationName, libraryName } = await linkResult(result.linkId ?? undefined);
  const success = outcome === "connected" || outcome === "updated" || outcome === "reauthorized";
  const title = success ? (outcome === "reauthorized" ? "Re-authorized" : "Connected") : "Not connected";
  const message = success
    ? `${libraryName ? `"${libraryName}"` : "Your library"} is ${outcome === "reauthorized" ? "re-authorized" : "connected"}${organizationName ? ` to ${organizationName}` : ""}. You can close this page.`
    : isConnectErrorKey(outcome)
      ? CONNECT_ERRORS[outcome]
      : CONNECT_ERRORS.expired_attempt;

  return (
    <div className="space-y-4">
      <h1 className="text-3xl font-bold tracking-tight text-slate-900">{title}</h1>
      <p role="status" className={`rounded-lg border px-4 py-3 leading-7 ${success ? "border-emerald-300 bg-emerald-50 text-emerald-900" : "border-amber-300 bg-amber-50 text-amber-950"}`}>
        {message}
      </p>
      {!success && <p className="leading-7 text-slate-700">If the link still works, open it again to retry; otherwise ask the partner for a new one.</p>}
    </div>
  );
}
