import Link from "next/link";
import { redirect } from "next/navigation";
import { PublicShell } from "@/components/public-shell";
import { ApicbaseTargetBanner } from "@/components/apicbase-target-banner";
import { EndpointList } from "@/components/endpoint-list";
import { apicbaseWebBase, resolveApicbaseSettings } from "@/lib/apicbase/config";
import { getCurrentUser } from "@/lib/dal/session";
import { env } from "@/lib/env";
import { DemoLoginsTable } from "@/components/sandbox-logins";
import { PageTitle } from "@/components/ui/page-title";
import { cx, FOCUS_RING } from "@/components/ui/classes";

// The Apicbase target is runtime configuration, not something to freeze into the build.
export const dynamic = "force-dynamic";

export default async function Home() {
  // Signed-in users have nothing to do here: straight to their work.
  if (await getCurrentUser()) redirect("/connections");
  const config = env();
  const settings = resolveApicbaseSettings(config);
  const base = apicbaseWebBase(config, settings);

  return (
    <PublicShell
      mainClassName="mx-auto w-full max-w-3xl flex-1 space-y-8 px-6 py-10"
      footer={
        <footer className="border-t border-slate-200 bg-white">
          <p className="mx-auto max-w-3xl px-6 py-4 text-sm text-slate-600">
            Configuration comes from the environment; README.md lists every setting.
          </p>
        </footer>
      }
    >
      <div className="space-y-3">
        <PageTitle>Apicbase partner portal</PageTitle>
        <p className="text-lg leading-7 text-slate-700">
          Connect your customers&apos; Apicbase libraries, keep every connection&apos;s tokens alive and repair the ones
          that break, before a sync fails.
        </p>
      </div>

      <ApicbaseTargetBanner target={settings.target} base={base} />

      <section aria-labelledby="start-title" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h2 id="start-title" className="text-lg font-semibold text-slate-900">
          Get started
        </h2>
        <p className="mt-2 leading-7 text-slate-700">
          Sign in with your Apicbase account. Partner members then see their organization&apos;s connections, connect
          libraries and repair broken ones; admins manage organizations and their members.
        </p>
        <Link
          href="/signin"
          className={cx(
            "mt-4 inline-flex items-center rounded-lg bg-slate-900 px-4",
            "py-2 text-sm font-semibold text-white hover:bg-slate-700",
            FOCUS_RING,
          )}
        >
          Sign in
        </Link>
      </section>

      <section aria-labelledby="endpoints-title" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h2 id="endpoints-title" className="text-lg font-semibold text-slate-900">
          Apicbase endpoints
        </h2>
        <p className="mt-1 text-sm text-slate-600">The client secret is configured but never shown.</p>
        <div className="mt-4">
          <EndpointList endpoints={settings.endpoints} clientId={settings.clientId} />
        </div>
      </section>

      {settings.target === "sandbox" && (
        <section aria-labelledby="demo-title" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <h2 id="demo-title" className="text-lg font-semibold text-slate-900">
            Demo logins
          </h2>
          <p className="mt-1 text-sm leading-6 text-slate-600">
            Accounts of the emulator; they work at its{" "}
            <a
              className="font-medium text-sky-800 underline underline-offset-2 hover:text-sky-950"
              href={`${base}/accounts/login/`}
            >
              login page
            </a>
            .
          </p>
          <div className="mt-4 text-slate-800">
            <DemoLoginsTable labelledBy="demo-title" />
          </div>
        </section>
      )}
    </PublicShell>
  );
}
