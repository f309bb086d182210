import type { PortalUser } from "@/lib/dal/session";
import { Brand } from "./brand";
import { PortalNav } from "./portal-nav";
import { SignOutButton } from "./sign-out-button";

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
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-6 gap-y-3 px-6 py-3">
        <Brand href="/connections" />
        <PortalNav items={navItems} />
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
