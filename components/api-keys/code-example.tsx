"use client";

import { useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { CODE_BLOCK } from "@/components/ui/classes";

/** An example to copy: a titled code block with a Copy button that says when it copied (announced politely). */
export function CodeExample({ title, code }: { title: string; code: string }) {
  const id = useId();
  const [copied, setCopied] = useState<"copied" | "failed" | null>(null);
  return (
    <figure className="space-y-1" aria-labelledby={`${id}-title`}>
      <div className="flex items-center justify-between gap-3">
        <figcaption id={`${id}-title`} className="text-sm font-medium text-slate-800">
          {title}
        </figcaption>
        <Button
          variant="secondary"
          size="sm"
          aria-label={`Copy: ${title}`}
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(code);
              setCopied("copied");
            } catch {
              setCopied("failed");
            }
          }}
        >
          {copied === "copied" ? "Copied" : "Copy"}
        </Button>
      </div>
      <pre
        // Focusable, so keyboard users can scroll it sideways.
        tabIndex={0}
        className={CODE_BLOCK}
      >
        {code}
      </pre>
      <p aria-live="polite" className="sr-only">
        {copied === "copied"
          ? `${title} copied`
          : copied === "failed"
            ? "Copying failed: select the text and copy it"
            : ""}
      </p>
    </figure>
  );
}
