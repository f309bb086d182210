import { PageNav, type PageLink } from "@/components/ui/page-links";

const numberFormat = new Intl.NumberFormat("en");
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
  const summary =
    `${numberFormat.format(total)} ${total === 1 ? noun[0] : noun[1]}` +
    (pageCount > 1 ? ` · page ${numberFormat.format(page)} of ${numberFormat.format(pageCount)}` : "");
  return <PageNav label={label} summary={summary} links={pageCount > 1 ? links : null} />;
}
