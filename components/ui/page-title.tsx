/** The page's one `h1`, the same size and weight on every page. */
export function PageTitle({ children }: { children: React.ReactNode }) {
  return <h1 className="text-3xl font-bold tracking-tight text-slate-900">{children}</h1>;
}

/** The top of a page: where it belongs (organization or "Admin"), its title, and a paragraph saying what it is for. */
export function PageHeader({
  context,
  title,
  children,
  more,
}: {
  context: React.ReactNode;
  title: React.ReactNode;
  children?: React.ReactNode;
  /** Below the paragraph, e.g. a note on a filter. */
  more?: React.ReactNode;
}) {
  return (
    <div className="space-y-2">
      <p className="text-sm font-medium text-slate-600">{context}</p>
      <PageTitle>{title}</PageTitle>
      {children && <p className="max-w-prose leading-7 text-slate-700">{children}</p>}
      {more}
    </div>
  );
}

/** A part of a page under its `h2` (the region's name, `id` its heading's id). */
export function PageSection({
  id,
  title,
  children,
}: {
  id: string;
  title: React.ReactNode;
  children: React.ReactNode;
}) {
  return (
    <section aria-labelledby={id} className="space-y-4">
      <h2 id={id} className="text-xl font-semibold text-slate-900">
        {title}
      </h2>
      {children}
    </section>
  );
}
