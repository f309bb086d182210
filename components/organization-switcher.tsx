import Link from "next/link";
import type { PortalUser } from "@/lib/dal/session";
import { cx, FOCUS_RING } from "@/components/ui/classes";

/** For members of several organizations: which one the page shows, and links to the same page for the others. */
export function OrganizationSwitcher({ user, current, path }: { user: PortalUser; current: string; path: string }) {
  if (user.memberships.length < 2) return null;
  return (
    <nav aria-label="Your organizations" className="flex flex-wrap items-center gap-2 text-sm">
      <span className="text-slate-600">Your organizations:</span>
      {user.memberships.map((membership) => (
        <Link
          key={membership.organizationId}
          href={`${path}?organization=${membership.organizationId}`}
          aria-current={membership.organizationId === current ? "page" : undefined}
          className={cx(
            "rounded-full border border-slate-300 px-3 py-1 font-medium text-slate-800 hover:bg-slate-100",
            FOCUS_RING,
            "aria-[current=page]:border-slate-900 aria-[current=page]:bg-slate-900 aria-[current=page]:text-white",
          )}
        >
          {membership.organizationName}
        </Link>
      ))}
    </nav>
  );
}
