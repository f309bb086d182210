import Link from "next/link";
import { buttonClasses } from "@/components/ui/button";
import { PageTitle } from "@/components/ui/page-title";

/** Admin pages answer "not found" to everyone who is not an admin, so they do not reveal what exists. */
export default function AdminNotFound() {
  return (
    <div className="max-w-2xl space-y-4">
      <PageTitle>Admins only</PageTitle>
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
