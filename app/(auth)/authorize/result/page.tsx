import type { Metadata } from "next";
import { CONNECT_ERRORS, isConnectErrorKey } from "@/lib/connections/notices";
import { linkResult } from "@/lib/dal/links";
import { firstParam, type SearchParams } from "@/lib/search-params";

export const metadata: Metadata = { title: "Approval result" };
export const dynamic = "force-dynamic";

/** Where the holder of an authorization link lands after Apicbase: the outcome in words. */
export default async function AuthorizationResultPage({ searchParams }: { searchParams: SearchParams }) {
  const query = await searchParams;
  const outcome = firstParam(query.outcome);
  const linkId = firstParam(query.link);
  const { organizationName, libraryName } = await linkResult(linkId);

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
