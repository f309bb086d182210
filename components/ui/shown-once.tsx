"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { SECRET_FIELD } from "@/components/ui/classes";

/**
 * A secret the portal shows only this once (an API key, a signing secret): a region titled `title`, what to do
 * with it (`children`), then the secret in a read-only field that selects itself on focus, and a Copy button.
 */
export function ShownOnce({
  titleId,
  title,
  inputId,
  inputLabel,
  value,
  children,
}: {
  titleId: string;
  title: React.ReactNode;
  inputId: string;
  /** The field's name for screen readers. */
  inputLabel: string;
  value: string;
  children: React.ReactNode;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <div
      role="region"
      aria-labelledby={titleId}
      className="space-y-2 rounded-lg border border-amber-300 bg-amber-50 p-4"
    >
      <h3 id={titleId} className="font-semibold text-amber-950">
        {title}
      </h3>
      {children}
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor={inputId} className="sr-only">
          {inputLabel}
        </label>
        <input
          id={inputId}
          readOnly
          value={value}
          onFocus={(event) => event.currentTarget.select()}
          className={SECRET_FIELD}
        />
        <Button
          variant="secondary"
          onClick={async () => {
            await navigator.clipboard.writeText(value);
            setCopied(true);
          }}
        >
          {copied ? "Copied" : "Copy"}
        </Button>
      </div>
    </div>
  );
}
