/**
 * PublicShell's frame with the brand handed in: app/not-found.tsx passes PlainBrand, so that the not-found boundary,
 * whose code loads with every page, imports no next/link (see components/brand-mark.tsx).
 */
export function PublicFrame({
  brand,
  children,
  mainClassName,
  footer,
}: {
  brand: React.ReactNode;
  children: React.ReactNode;
  mainClassName: string;
  footer?: React.ReactNode;
}) {
  return (
    <div className="flex min-h-screen flex-col">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto max-w-3xl px-6 py-4">{brand}</div>
      </header>
      <main className={mainClassName}>{children}</main>
      {footer}
    </div>
  );
}
