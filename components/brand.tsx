import Link from "next/link";

/** The portal's name and mark, linking home. */
export function Brand({ href = "/" }: { href?: string }) {
  return (
    <Link
      href={href}
      className="flex items-center gap-3 rounded-lg focus-visible:outline-2 focus-visible:outline-offset-4 focus-visible:outline-sky-600"
    >
      <span
        aria-hidden="true"
        className="grid size-8 place-items-center rounded-lg bg-slate-900 text-sm font-bold text-white"
      >
        A
      </span>
      <span className="font-semibold text-slate-900">Apicbase partner portal</span>
    </Link>
  );
}
