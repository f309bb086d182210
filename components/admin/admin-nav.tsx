"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const SECTIONS = [
  { href: "/admin", label: "Overview" },
  { href: "/admin/connections", label: "Connections" },
  { href: "/admin/organizations", label: "Organizations" },
  { href: "/admin/members", label: "Members" },
  { href: "/admin/sessions", label: "Sessions" },
  { href: "/admin/applications", label: "Applications" },
  { href: "/admin/audit", label: "Audit log" },
] as const;

/** The admin area's sections; the current one is marked for sight and for screen readers. */
export function AdminNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Admin" className="mb-8 border-b border-slate-200">
      <ul className="-mb-px flex flex-wrap gap-x-1">
        {SECTIONS.map(({ href, label }) => {
          // The overview is /admin itself; every other section owns its sub-paths too.
          const current = pathname === href || (href !== "/admin" && pathname.startsWith(`${href}/`));
          return (
            <li key={href}>
              <Link
                href={href}
                aria-current={current ? "page" : undefined}
                className={[
                  "inline-block rounded-t-md border-b-2 px-3 py-2 text-sm font-medium",
                  "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600",
                  current
                    ? "border-slate-900 text-slate-950"
                    : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900",
                ].join(" ")}
              >
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
