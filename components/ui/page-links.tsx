import Link from "next/link";
import type { ReactNode } from "react";
import { cx, FOCUS_RING } from "./classes";

export type PageLink = { text: string; href: string; enabled: boolean; rel?: string };

const LINK = cx(
  "inline-block rounded-lg border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-900 hover:bg-slate-100",
  FOCUS_RING,
);
const DISABLED = "inline-block rounded-lg border border-slate-200 px-3 py-1.5 text-slate-400";

/**
 * A list's pager: where the reader is (`summary`), then its links (first / previous / next / last), each a link when
 * `enabled`, otherwise greyed-out text. No links when there is one page only (`links` null).
 */
export function PageNav({ label, summary, links }: { label: string; summary: ReactNode; links: PageLink[] | null }) {
  return (
    <nav aria-label={label} className="flex flex-wrap items-center justify-between gap-3 text-sm">
      <p className="text-slate-700">{summary}</p>
      {links && (
        <ul className="flex flex-wrap items-center gap-2">
          {links.map(({ text, href, enabled, rel }) => (
            <li key={text}>
              {enabled ? (
                <Link href={href} rel={rel} className={LINK}>
                  {text}
                </Link>
              ) : (
                <span aria-disabled="true" className={DISABLED}>
                  {text}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
