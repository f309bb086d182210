import { PageLinks, type PageLink } from "@/components/ui/page-links";

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
  const links: PageLink[] = [
    { text: "Newest", href: href(1), enabled: page > 1 },
    { text: "Newer", href: href(page - 1), enabled: page > 1, rel: "prev" },
    { text: "Older", href: href(page + 1), enabled: page < pageCount, rel: "next" },
    { text: "Oldest", href: href(pageCount), enabled: page < pageCount },
  ];
  return (
    <nav aria-label={label} className="flex flex-wrap items-center justify-between gap-3 text-sm">
      <p className="text-slate-700">
        {numberFormat.format(total)} {total === 1 ? noun[0] : noun[1]}
        {pageCount > 1 && ` · page ${numberFormat.format(page)} of ${numberFormat.format(pageCount)}`}
      </p>
      {pageCount > 1 && (
        <PageLinks
          links={links}
          listClassName="flex items-center gap-2"
          linkClassName={item}
          disabledClassName={inactive}
        />
      )}
    </nav>
  );
}
