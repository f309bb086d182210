/** A titled section of a page; the heading names the region for screen readers. */
export function Card({
  id,
  title,
  description,
  headingLevel = 2,
  actions,
  children,
}: {
  id: string;
  title: string;
  description?: React.ReactNode;
  headingLevel?: 2 | 3;
  actions?: React.ReactNode;
  children?: React.ReactNode;
}) {
  const Heading = headingLevel === 2 ? "h2" : "h3";
  return (
    <section aria-labelledby={`${id}-title`} className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <Heading id={`${id}-title`} className="text-lg font-semibold text-slate-900">
            {title}
          </Heading>
          {description && <div className="mt-1 text-sm leading-6 text-slate-600">{description}</div>}
        </div>
        {actions}
      </div>
      {children && <div className="mt-4">{children}</div>}
    </section>
  );
}
