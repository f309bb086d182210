import Link from "next/link";
import { buttonClasses } from "@/components/ui/button";
import { PageTitle } from "@/components/ui/page-title";

/**
 * notFound() inside the portal renders here, within the portal's shell (app/not-found.tsx draws its own header for
 * addresses outside it): an unknown connection or key, or one of an organization the user is not a member of.
 */
export default function PortalNotFound() {
  return (
    <div className="max-w-xl space-y-4">
      <PageTitle>Page not found</PageTitle>
      <p className="leading-7 text-slate-700">
        This page, connection or organization does not exist, or it belongs to an organization you are not a member of.
      </p>
      <Link href="/connections" className={buttonClasses("secondary")}>
        Go to your connections
      </Link>
    </div>
  );
}
