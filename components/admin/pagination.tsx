import Link from "next/link";

const numberFormat = new Intl.NumberFormat("en");
const item =
  "rounded-lg border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-900 hover:bg-slate-100 " +
  "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";
const inactive = "rounded-lg border border-slate-200 px-3 py-1.5 text-slate-400";

/** First / previous / next / last links over server-side pages; `href(page)` keeps the rest of the URL. */
export function Pagination({
  label,
  page,
  pageCount,
  total,
  noun,
  href,
}: {
  label: string;
  page: number;
  pageCount: number;
  total: number;
  noun: [string, string];
  href: (page: number) => string;
}) {
  const links: { text: string; target: number; enabled: boolean; rel?: string }[] = [
    { text: "Newest", target: 1, enabled: page > 1 },
    { text: "Newer", target: page - 1, enabled: page > 1, rel: "prev" },
    { text: "Older", target: page + 1, enabled: page < pageCount, rel: "next" },
    { text: "Oldest", target: pageCount, enabled: page < pageCount },
  ];
  return (
    <nav aria-label={label} className="flex flex-wrap items-center justify-between gap-3 text-sm">
      <p className="text-slate-700">
        {numberFormat.format(total)} {total === 1 ? noun[0] : noun[1]}
        {pageCount > 1 && ` · page ${numberFormat.format(page)} of ${numberFormat.format(pageCount)}`}
      </p>
      {pageCount > 1 && (
        <ul className="flex items-center gap-2">
          {links.map(({ text, target, enabled, rel }) => (
            <li key={text}>
              {enabled ? (
                <Link href={href(target)} rel={rel} className={item}>
                  {text}
                </Link>
              ) : (
                <span aria-disabled="true" className={inactive}>
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
