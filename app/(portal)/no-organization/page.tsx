import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Card } from "@/components/ui/card";
import { adminContacts } from "@/lib/dal/admins";
import { requireUser } from "@/lib/dal/session";
import { PageTitle } from "@/components/ui/page-title";

export const metadata: Metadata = { title: "No organization yet" };

const link =
  "font-medium text-sky-800 underline underline-offset-2 hover:text-sky-950 focus-visible:outline-2 " +
  "focus-visible:outline-offset-2 focus-visible:outline-sky-600";

/** For someone signed in whom no admin has added to an organization: whom to ask. */
export default async function NoOrganizationPage() {
  const user = await requireUser();
  if (user.memberships.length > 0) redirect("/connections");
  const admins = await adminContacts(user);
  const who = user.email ?? "your Apicbase e-mail address";

  return (
    <div className="max-w-2xl space-y-8">
      <div className="space-y-3">
        <PageTitle>You&apos;re not in an organization yet</PageTitle>
        <p className="leading-7 text-slate-700">
          You signed in as <strong className="font-semibold text-slate-900">{who}</strong>. Library connections belong
          to partner organizations, and nobody has added you to one yet.
        </p>
      </div>

      <Card id="ask" title="Whom to ask">
        {admins.length > 0 ? (
          <>
            <p className="leading-7 text-slate-700">
              Ask a portal admin to add <strong className="font-semibold">{who}</strong> to your company&apos;s
              organization:
            </p>
            <ul className="mt-3 space-y-1">
              {admins.map((email) => (
                <li key={email}>
                  <a href={`mailto:${email}`} className={link}>
                    {email}
                  </a>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p className="leading-7 text-slate-700">
            Ask the person who invited your company to the portal to add{" "}
            <strong className="font-semibold">{who}</strong> to your company&apos;s organization.
          </p>
        )}
        <p className="mt-4 leading-7 text-slate-700">
          Once they have,{" "}
          <Link href="/connections" className={link}>
            open your connections
          </Link>
          : there is no need to sign in again.
        </p>
        {user.isAdmin && (
          <p className="mt-4 leading-7 text-slate-700">
            As a portal admin, you can add yourself on the{" "}
            <Link href="/admin/organizations" className={link}>
              organizations page
            </Link>
            .
          </p>
        )}
      </Card>
    </div>
  );
}
