import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DateTime } from "@/components/date-time";
import { AuthorizationLinkForm } from "@/components/links/authorization-link-form";
import { WithdrawLinkForm } from "@/components/links/withdraw-link-form";
import { OrganizationSwitcher } from "@/components/organization-switcher";
import { Card } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { linksOf, type LinkListItem, type OrganizationLinkView } from "@/lib/dal/links";
import { requireSelectedOrganization } from "@/lib/dal/session";
import { LINK_OUTCOME_LABELS, LINK_USE_VERBS } from "@/lib/messages/links";
import type { SearchParams } from "@/lib/search-params";
import { createConnectLinkOnLinksPageAction, withdrawLinkAction } from "./actions";
import { PageHeader } from "@/components/ui/page-title";
import { cx } from "@/components/ui/classes";

const PILL = "ml-2 inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset";

export const metadata: Metadata = { title: "Authorization links" };

const STATE_STYLE: Record<OrganizationLinkView["state"], { label: string; className: string }> = {
  open: { label: "Waiting for approval", className: "bg-sky-100 text-sky-900 ring-sky-300" },
  used: { label: "Used", className: "bg-emerald-100 text-emerald-900 ring-emerald-300" },
  expired: { label: "Expired", className: "bg-slate-100 text-slate-700 ring-slate-300" },
  withdrawn: { label: "Withdrawn", className: "bg-amber-100 text-amber-900 ring-amber-300" },
};

function whom(link: OrganizationLinkView): string {
  if (link.kind === "reauthorize")
    return link.libraryName ? `Re-authorize “${link.libraryName}”` : "Re-authorize a connection that was since deleted";
  return link.customerLabel ?? "A new library";
}

/**
 * Connect links for customers without a portal account: create one (shown once), follow which are still waiting,
 * which were used and for which library, and withdraw the ones that should no longer work.
 */
export default async function LinksPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const { user, organization } = await requireSelectedOrganization(params.organization);
  const links = await linksOf(user, organization.id);
  if (!links) notFound();
  const now = new Date();
  const waiting = links.filter((link) => link.state === "open").length;

  return (
    <div className="space-y-8">
      <PageHeader context={organization.name} title="Authorization links">
        Send a customer a link instead of asking them for a portal account. They open it, sign in to Apicbase with their
        own account and approve; the library active in their Apicbase then appears in{" "}
        <>
          {organization.name}&apos;s{" "}
          <Link
            href={`/connections?organization=${organization.id}`}
            className="font-medium text-sky-800 underline underline-offset-2"
          >
            connections
          </Link>
        </>
        . Each link works once, for 7 days.
      </PageHeader>

      <OrganizationSwitcher user={user} current={organization.id} path="/links" />

      <Card
        id="create-connect-link"
        title="Send a connect link"
        description={
          "Name the customer so you recognise the connection when it arrives. " +
          "The link is shown only once: the portal keeps just a fingerprint of it."
        }
      >
        <AuthorizationLinkForm
          action={createConnectLinkOnLinksPageAction}
          hidden={{ organizationId: organization.id }}
          kind="connect"
        />
      </Card>

      <Card
        id="links"
        title={`Links (${waiting} waiting)`}
        description={
          "Re-authorization links, created on a connection's page or by a bulk action, are listed here too; " +
          "the links a bulk action of yours made can be copied again."
        }
      >
        {links.length === 0 ? (
          <p className="text-slate-700">
            No links yet. Create one above and send it to your customer by e-mail or chat.
          </p>
        ) : (
          <ul className="divide-y divide-slate-100">
            {links.map((link) => {
              const style = STATE_STYLE[link.state];
              const outcome = link.state === "used" ? link.result?.outcome : undefined;
              return (
                <li key={link.id} className="flex flex-wrap items-start justify-between gap-3 py-3 text-sm">
                  <div className="space-y-1">
                    <p className="font-medium text-slate-900">
                      {whom(link)}
                      <span className={cx(PILL, style.className)}>{style.label}</span>
                      {outcome && (
                        <span
                          className={cx(
                            PILL,
                            "gap-1",
                            outcome === "updated"
                              ? "bg-amber-100 text-amber-950 ring-amber-400"
                              : "bg-slate-100 text-slate-800 ring-slate-300",
                          )}
                        >
                          {outcome === "updated" && <span aria-hidden="true">⚠</span>}
                          {LINK_OUTCOME_LABELS[outcome]}
                        </span>
                      )}
                    </p>
                    {link.kind === "connect" && link.result?.outcome === "updated" && (
                      <p className="text-amber-900">
                        This link made no new connection: the library approved with it was already connected, so its
                        connection got the new tokens.
                        {link.customerLabel && link.result.libraryName && (
                          <>
                            {" "}
                            Made for {link.customerLabel}; the library connected is {link.result.libraryName}.
                          </>
                        )}
                      </p>
                    )}
                    <p className="text-slate-600">
                      Created <DateTime date={link.createdAt} now={now} />
                      {link.createdBy && <> by {link.createdBy}</>}
                    </p>
                    <p className="text-slate-600">
                      {link.state === "open" && (
                        <>
                          Works until it expires <DateTime date={link.expiresAt} now={now} />
                        </>
                      )}
                      {link.state === "used" && link.usedAt && (
                        <>
                          Used <DateTime date={link.usedAt} now={now} />
                          {link.result?.approvedBy && <> by {link.result.approvedBy}</>}
                          {link.resultConnectionId ? (
                            <>
                              {": "}
                              {link.result ? LINK_USE_VERBS[link.result.outcome] : "for "}
                              <Link
                                href={`/connections/${link.resultConnectionId}`}
                                className="font-medium text-sky-800 underline underline-offset-2"
                              >
                                {link.result?.libraryName ?? link.resultLibraryName ?? "the connection"}
                                {link.result?.libraryId != null && ` (${link.result.libraryId})`}
                              </Link>
                            </>
                          ) : (
                            " (approval under way or not completed)"
                          )}
                        </>
                      )}
                      {link.state === "expired" && (
                        <>
                          Expired <DateTime date={link.expiresAt} now={now} /> without being used
                        </>
                      )}
                      {link.state === "withdrawn" && (
                        <>
                          Stopped working <DateTime date={link.expiresAt} now={now} />
                          {link.kind === "reauthorize" ? " (withdrawn, or replaced by a newer link)" : ""}
                        </>
                      )}
                    </p>
                    <LinkToCopy link={link} />
                  </div>
                  {link.state === "open" && (
                    <WithdrawLinkForm
                      action={withdrawLinkAction}
                      organizationId={organization.id}
                      linkId={link.id}
                      label={whom(link)}
                    />
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </Card>
    </div>
  );
}

/**
 * An open link a bulk job of the viewer's made (lib/dal/links.ts, LinkListItem): the link itself, to copy and hand to
 * the library's owner. Other links were shown once, when made; only their hash is kept.
 */
function LinkToCopy({ link }: { link: LinkListItem }) {
  if (!link.url) return null;
  const what = link.libraryName ? `link for ${link.libraryName}` : "link";
  return (
    <div className="flex max-w-xl flex-wrap items-center gap-2 pt-1">
      <input
        readOnly
        value={link.url}
        aria-label={`The ${what}`}
        className={cx(
          "w-[28rem] max-w-full min-w-0 rounded-lg border border-slate-300 bg-slate-50",
          "px-2 py-1 font-mono text-xs text-slate-900",
        )}
      />
      <CopyButton text={link.url} label="Copy" what={what} />
    </div>
  );
}
