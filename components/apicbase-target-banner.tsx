import type { ApicbaseTarget } from "@/lib/apicbase/config";

const TONES: Record<ApicbaseTarget, string> = {
  sandbox: "border-amber-300 bg-amber-50 text-amber-950",
  custom: "border-sky-300 bg-sky-50 text-sky-950",
  production: "border-emerald-300 bg-emerald-50 text-emerald-950",
};

const BADGES: Record<ApicbaseTarget, string> = {
  sandbox: "bg-amber-200 text-amber-950",
  custom: "bg-sky-200 text-sky-950",
  production: "bg-emerald-200 text-emerald-950",
};

/** Says which Apicbase the portal talks to, so nobody mistakes the sandbox for the real thing (or the reverse). */
export function ApicbaseTargetBanner({ target, base }: { target: ApicbaseTarget; base: string }) {
  const title =
    target === "sandbox"
      ? "Local sandbox"
      : target === "production"
        ? "Apicbase production"
        : `Custom Apicbase at ${base}`;
  return (
    <section aria-labelledby="target-title" className={`rounded-xl border px-5 py-4 ${TONES[target]}`}>
      <div className="flex flex-wrap items-center gap-3">
        <span className={`rounded-full px-2.5 py-0.5 text-xs font-semibold tracking-wide uppercase ${BADGES[target]}`}>
          {target === "sandbox" ? "Sandbox" : target === "production" ? "Live" : "Custom"}
        </span>
        <h2 id="target-title" className="text-lg font-semibold break-all">
          {title}
        </h2>
      </div>
      <p className="mt-2 text-sm leading-6">
        {target === "sandbox" ? (
          <>
            This portal talks to the bundled Apicbase emulator at{" "}
            <code className="font-mono font-semibold">{base}</code>, not to the real Apicbase. Its users, libraries and
            applications are throwaway demo data.
          </>
        ) : target === "production" ? (
          <>This portal talks to the real Apicbase with your partner application&apos;s credentials.</>
        ) : (
          <>
            This portal talks to the Apicbase endpoints configured below with your partner application&apos;s
            credentials.
          </>
        )}
      </p>
    </section>
  );
}
