import type { PortalUser } from "@/lib/dal/session";
import { Brand } from "./brand";
import { PortalNav } from "./portal-nav";
import { SignOutButton } from "./sign-out-button";
import { cx, FOCUS_RING } from "@/components/ui/classes";

/** The signed-in portal's header: who is signed in, in which organization, where they can go. */
export function PortalHeader({ user }: { user: PortalUser }) {
  const organizations = user.memberships.map((membership) => membership.organizationName);
  const navItems = [
    { href: "/connections", label: "Connections" },
    ...(organizations.length > 0
      ? [
          { href: "/links", label: "Links" },
          { href: "/api-keys", label: "API keys" },
          { href: "/webhooks", label: "Webhooks" },
        ]
      : []),
    ...(user.isAdmin ? [{ href: "/admin", label: "Admin" }] : []),
  ];
  const who = (
    <dl className="text-sm leading-5 md:text-right">
      <dt className="sr-only">Signed in as</dt>
      <dd className="font-medium break-words text-slate-900">
        {user.name ?? user.email}
        {user.name && user.email && <span className="font-normal text-slate-600"> · {user.email}</span>}
      </dd>
      <dt className="sr-only">Organization</dt>
      <dd className="text-slate-600">
        {organizations.length > 0 ? organizations.join(", ") : "No organization"}
        {user.isAdmin && " · portal admin"}
      </dd>
    </dl>
  );
  return (
    <header className="border-b border-slate-200 bg-white">
      {/* One line at every width: on narrow screens the sections and the account fold into a menu. */}
      <div className="mx-auto flex max-w-5xl flex-nowrap items-center gap-x-6 px-4 py-3 sm:px-6">
        <Brand href="/connections" />
        <div className="hidden min-w-0 flex-1 items-center gap-x-6 md:flex">
          <PortalNav items={navItems} />
          <div className="ml-auto flex items-center gap-4">
            {who}
            <SignOutButton />
          </div>
        </div>
        <details className="group relative ml-auto md:hidden">
          <summary
            className={cx(
              "flex cursor-pointer list-none items-center gap-2 rounded-lg border",
              "border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-900 hover:bg-slate-100",
              FOCUS_RING,
              "[&::-webkit-details-marker]:hidden",
            )}
          >
            <span aria-hidden="true" className="text-base leading-none">
              ☰
            </span>
            Menu
          </summary>
          <div
            className={cx(
              "absolute right-0 z-20 mt-2 w-[min(18rem,calc(100vw-2rem))]",
              "space-y-3 rounded-xl border border-slate-200 bg-white p-3 shadow-lg",
            )}
          >
            <PortalNav items={navItems} vertical />
            <div className="space-y-3 border-t border-slate-100 pt-3">
              {who}
              <SignOutButton />
            </div>
          </div>
        </details>
      </div>
    </header>
  );
}
