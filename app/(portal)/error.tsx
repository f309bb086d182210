"use client";

import { Button } from "@/components/ui/button";

/** An unexpected failure while showing a portal page (expected ones are messages in the page itself). */
export default function PortalError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="max-w-2xl space-y-4">
      <h1 className="text-3xl font-bold tracking-tight text-slate-900">This page could not be shown</h1>
      <p className="leading-7 text-slate-700">
        Something went wrong on the portal&apos;s side. Nothing you did was lost; try again in a moment.
      </p>
      <Button onClick={reset}>Try again</Button>
    </div>
  );
}
