import Link from "next/link";
import { PublicShell } from "@/components/public-shell";
import { buttonClasses } from "@/components/ui/button";
import { PageTitle } from "@/components/ui/page-title";

export default function NotFound() {
  return (
    <PublicShell mainClassName="mx-auto w-full max-w-xl flex-1 space-y-4 px-6 py-12">
      <PageTitle>Page not found</PageTitle>
      <p className="leading-7 text-slate-700">
        This page does not exist, or it belongs to an organization you are not a member of.
      </p>
      <Link href="/connections" className={buttonClasses("secondary")}>
        Go to your connections
      </Link>
    </PublicShell>
  );
}
