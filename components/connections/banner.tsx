import Link from "next/link";
import { cx, FOCUS_RING } from "@/components/ui/classes";

/**
 * The outcome of a round trip through Apicbase (connect, re-authorize), from a fixed key in the URL. An error is an
 * alert; a success a status. "Dismiss" drops the key, so a reload does not repeat it.
 */
export function Banner({
  tone,
  message,
  dismissHref,
}: {
  tone: "success" | "error";
  message: string;
  dismissHref: string;
}) {
  const success = tone === "success";
  return (
    <div
      role={success ? "status" : "alert"}
      className={`flex flex-wrap items-start justify-between gap-3 rounded-xl border px-4 py-3 text-sm leading-6 ${
        success ? "border-emerald-300 bg-emerald-50 text-emerald-950" : "border-red-300 bg-red-50 text-red-900"
      }`}
    >
      <p className="flex gap-2 font-medium">
        <span aria-hidden="true">{success ? "✓" : "✕"}</span>
        <span>{message}</span>
      </p>
      <Link href={dismissHref} className={cx("rounded font-medium underline underline-offset-2", FOCUS_RING)}>
        Dismiss
      </Link>
    </div>
  );
}
