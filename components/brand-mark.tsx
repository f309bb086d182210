// No next/link in this file: app/not-found.tsx renders PlainBrand, and whatever client code that boundary imports
// loads with every page of the portal.

export const brandLink =
  "flex items-center gap-3 rounded-lg " +
  "focus-visible:outline-2 focus-visible:outline-offset-4 focus-visible:outline-sky-600";

/**
 * The same as a plain link, for app/not-found.tsx: that boundary's code loads with every page of the portal, and
 * next/link there put a second copy of the link code (3.3 kB gzipped) into every page's first-load JavaScript.
 */
export function PlainBrand() {
  return (
    // eslint-disable-next-line @next/next/no-html-link-for-pages -- on purpose, see above
    <a href="/" className={brandLink}>
      <BrandMark />
    </a>
  );
}

/** The mark and the name. */
export function BrandMark() {
  return (
    <>
      <span
        aria-hidden="true"
        className="grid size-8 place-items-center rounded-lg bg-slate-900 text-sm font-bold text-white"
      >
        A
      </span>
      {/* One line at every width: narrow screens show "Partner portal" (screen readers still hear the full name). */}
      <span className="font-semibold whitespace-nowrap text-slate-900">
        <span className="max-sm:sr-only">Apicbase </span>
        <span className="sm:hidden">Partner portal</span>
        <span className="max-sm:hidden">partner portal</span>
      </span>
    </>
  );
}
