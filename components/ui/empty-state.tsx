import { cx } from "./classes";

/** A dashed box saying a list is empty and what to do about it; the heading names the region. */
export function EmptyState({
  id,
  title,
  children,
  compact = false,
}: {
  id: string;
  title: React.ReactNode;
  children: React.ReactNode;
  /** Less room above and below (an empty search result, not an empty page). */
  compact?: boolean;
}) {
  return (
    <section
      aria-labelledby={id}
      className={cx(
        "rounded-xl border border-dashed border-slate-300 bg-white px-6 text-center",
        compact ? "py-10" : "py-12",
      )}
    >
      <h2 id={id} className="text-lg font-semibold text-slate-900">
        {title}
      </h2>
      {children}
    </section>
  );
}
