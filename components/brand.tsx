import Link from "next/link";
import { cx } from "@/components/ui/classes";

/** The portal's name and mark, linking home. */
export function Brand({ href = "/" }: { href?: string }) {
  return (
    <Link
      href={href}
      className={cx(
        "flex items-center gap-3 rounded-lg focus-visible:outline-2",
        "focus-visible:outline-offset-4 focus-visible:outline-sky-600",
      )}
    >
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
    </Link>
  );
}
