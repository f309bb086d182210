"use client";

import { Button } from "@/components/ui/button";
import { PageTitle } from "@/components/ui/page-title";

/** An unexpected failure while showing a portal page (expected ones are messages in the page itself). */
export default function PortalError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="max-w-2xl space-y-4">
      <PageTitle>This page could not be shown</PageTitle>
      <p className="leading-7 text-slate-700">
        Something went wrong on the portal&apos;s side. Nothing you did was lost; try again in a moment.
      </p>
      <Button onClick={reset}>Try again</Button>
    </div>
  );
}
