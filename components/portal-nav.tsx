"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const navLink =
  "rounded-md px-2 py-1 text-sm font-medium text-slate-700 hover:bg-slate-100 hover:text-slate-950 " +
  "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 " +
  "aria-[current=page]:bg-slate-100 aria-[current=page]:text-slate-950";

/** The portal's sections; the one the page belongs to is marked for sight and for screen readers. */
export function PortalNav({
  items,
  vertical = false,
}: {
  items: { href: string; label: string }[];
  /** The narrow screens' menu: one item a line. */
  vertical?: boolean;
}) {
  const pathname = usePathname();
  return (
    <nav aria-label="Portal" className={vertical ? "flex flex-col gap-1" : "flex items-center gap-1"}>
      {items.map(({ href, label }) => (
        <Link
          key={href}
          href={href}
          aria-current={pathname === href || pathname.startsWith(`${href}/`) ? "page" : undefined}
          className={navLink}
        >
          {label}
        </Link>
      ))}
    </nav>
  );
}
