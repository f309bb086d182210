/** One row of a `<dl>` of facts: the term and its value, laid out by `layout` (each list sets its own grid). */
export function FactRow({
  label,
  layout,
  termClassName = "font-medium text-slate-600",
  valueClassName = "text-slate-900",
  children,
}: {
  label: string;
  layout: string;
  termClassName?: string;
  valueClassName?: string;
  children: React.ReactNode;
}) {
  return (
    <div className={layout}>
      <dt className={termClassName}>{label}</dt>
      <dd className={valueClassName}>{children}</dd>
    </div>
  );
}
