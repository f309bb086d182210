import Link from "next/link";
import { buttonClasses } from "@/components/ui/button";

/** Admin pages answer "not found" to everyone who is not an admin, so they do not reveal what exists. */
export default function AdminNotFound() {
  return (
    <div className="max-w-2xl space-y-4">
      <h1 className="text-3xl font-bold tracking-tight text-slate-900">Admins only</h1>
      <p className="leading-7 text-slate-700">
        This page does not exist, or it is for portal admins and your account is not one. If you need something changed
        in your organization, ask a portal admin.
      </p>
      <Link href="/connections" className={buttonClasses("secondary")}>
        Back to connections
      </Link>
    </div>
  );
}
