import type { Metadata } from "next";
import { buttonClasses } from "@/components/ui/button";
import { linkForHolder } from "@/lib/dal/links";
import { DateTime } from "@/components/date-time";
import { continueToApicbaseAction } from "./actions";
import { PageTitle } from "@/components/ui/page-title";

export const metadata: Metadata = { title: "Approve access at Apicbase", referrer: "no-referrer" };
export const dynamic = "force-dynamic";

/** What the holder of an authorization link (usually the library owner) sees before going to Apicbase. */
export default async function AuthorizationLinkPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const link = await linkForHolder(token);

  if (!link || link.state !== "open") {
    const title = !link
      ? "This link does not work"
      : link.state === "used"
        ? "This link was already used"
        : "This link has expired";
    return (
      <div className="space-y-4">
        <PageTitle>{title}</PageTitle>
        <p className="leading-7 text-slate-700">
          {link?.state === "used"
            ? "The approval it asked for was given. Nothing else to do here."
            : "Authorization links work once and for a limited time. Ask the partner who sent it for a new link."}
        </p>
      </div>
    );
  }

  const what =
    link.kind === "reauthorize"
      ? `re-authorize its connection to your Apicbase library "${link.libraryName}" (${link.libraryId})`
      : "connect your Apicbase library";
  return (
    <div className="space-y-6">
      <div className="space-y-3">
        <p className="text-sm font-medium text-slate-600">{link.organizationName}</p>
        <PageTitle>Approve access at Apicbase</PageTitle>
        <p className="leading-7 text-slate-700">
          {link.organizationName} asks you to {what}
          {link.customerLabel ? ` (for ${link.customerLabel})` : ""}.
        </p>
      </div>
      <ol className="list-decimal space-y-2 pl-5 leading-7 text-slate-700">
        <li>
          In Apicbase, make sure the <strong>active library</strong> is the one you want to connect
          {link.kind === "reauthorize" ? ` ("${link.libraryName}")` : ""}: the approval follows your active library.
        </li>
        <li>
          Continue to Apicbase, log in and press <strong>Authorize</strong>. Apicbase keeps its own login: if this
          browser is still logged in there as someone else, Apicbase approves as them, so check the name on its page and
          log out there first if it is not you.
        </li>
        <li>You come back here and see the result. No portal account is needed.</li>
      </ol>
      <form action={continueToApicbaseAction}>
        <input type="hidden" name="token" value={token} />
        <button type="submit" className={buttonClasses("primary")}>
          Continue to Apicbase
        </button>
      </form>
      <p className="text-sm text-slate-600">
        This link works once, until <DateTime date={link.expiresAt} now={new Date()} />.
      </p>
    </div>
  );
}
