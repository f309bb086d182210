import { PlainBrand } from "@/components/brand-mark";
import { PublicFrame } from "@/components/public-frame";
import { buttonClasses } from "@/components/ui/button";
import { PageTitle } from "@/components/ui/page-title";

/**
 * Addresses outside every layout. Plain links, not next/link: this boundary's browser code loads with every page,
 * and next/link here put a second copy of the router's link code into each page's first load (3.3 kB gzipped on
 * /connections, issue 15). Leaving a 404 page is a full page load anyway.
 */
export default function NotFound() {
  return (
    <PublicFrame brand={<PlainBrand />} mainClassName="mx-auto w-full max-w-xl flex-1 space-y-4 px-6 py-12">
      <PageTitle>Page not found</PageTitle>
      <p className="leading-7 text-slate-700">
        This page does not exist, or it belongs to an organization you are not a member of.
      </p>
      {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- see above */}
      <a href="/connections" className={buttonClasses("secondary")}>
        Go to your connections
      </a>
    </PublicFrame>
  );
}
