import Link from "next/link";
import type { PortalUser } from "@/lib/dal/session";
import { Brand } from "./brand";
import { SignOutButton } from "./sign-out-button";

const navLink =
  "rounded-md px-2 py-1 text-sm font-medium text-slate-700 hover:bg-slate-100 hover:text-slate-950 " +
  "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";

/** The signed-in portal's header: who is signed in, in which organization, where they can go. */
export function PortalHeader({ user }: { user: PortalUser }) {
  const organizations = user.memberships.map((membership) => membership.organizationName);
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-6 gap-y-3 px-6 py-3">
        <Brand href="/connections" />
        <nav aria-label="Portal" className="flex items-center gap-1">
          <Link href="/connections" className={navLink}>
            Connections
          </Link>
          {organizations.length > 0 && (
            <>
              <Link href="/links" className={navLink}>
                Links
              </Link>
              <Link href="/api-keys" className={navLink}>
                API keys
              </Link>
            </>
          )}
          {user.isAdmin && (
            <Link href="/admin" className={navLink}>
              Admin
            </Link>
          )}
        </nav>
        <div className="ml-auto flex items-center gap-4">
          <dl className="text-right text-sm leading-5">
            <dt className="sr-only">Signed in as</dt>
            <dd className="font-medium text-slate-900">
              {user.name ?? user.email}
              {user.name && user.email && <span className="font-normal text-slate-600"> · {user.email}</span>}
            </dd>
            <dt className="sr-only">Organization</dt>
            <dd className="text-slate-600">
              {organizations.length > 0 ? organizations.join(", ") : "No organization"}
              {user.isAdmin && " · portal admin"}
            </dd>
          </dl>
          <SignOutButton />
        </div>
      </div>
    </header>
  );
}
