import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SandboxLogins } from "@/components/sandbox-logins";
import { buttonClasses } from "@/components/ui/button";
import { apicbaseWebBase, resolveApicbaseSettings } from "@/lib/apicbase/config";
import { signInWithApicbase } from "@/lib/auth/actions";
import { safeReturnPath } from "@/lib/auth/return-path";
import { getCurrentUser } from "@/lib/dal/session";
import { env } from "@/lib/env";
import { firstParam, type SearchParams } from "@/lib/search-params";
import { PageTitle } from "@/components/ui/page-title";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const query = await searchParams;
  // Auth.js sends some failures here with ?error=; the error page says what they mean.
  const authJsError = firstParam(query.error);
  if (authJsError) redirect(`/signin/error?${new URLSearchParams({ error: authJsError })}`);

  const returnTo = safeReturnPath(firstParam(query.callbackUrl));
  if (await getCurrentUser()) redirect(returnTo);
  const settings = resolveApicbaseSettings(env());
  const sandbox = settings.target === "sandbox";
  const apicbase = apicbaseWebBase(env(), settings);

  return (
    <div className="space-y-8">
      <div className="space-y-3">
        <PageTitle>Sign in</PageTitle>
        <p className="leading-7 text-slate-700">
          The partner portal uses your Apicbase account. Apicbase asks you to approve the portal, then sends you
          straight back here.
        </p>
      </div>

      {firstParam(query.signedOut) && (
        <div className="space-y-2">
          <p
            role="status"
            className="rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900"
          >
            You signed out of the portal.
          </p>
          <p className="text-sm leading-6 text-slate-700">
            Apicbase keeps its own login: you may still be logged in there, and the next sign-in or approval in this
            browser would use that account without asking for a password.{" "}
            {sandbox ? (
              <>
                <a
                  className="font-medium text-sky-800 underline underline-offset-2"
                  href={`${apicbase}/accounts/logout/`}
                >
                  Log out of the Apicbase sandbox
                </a>{" "}
                to sign in as another demo user.
              </>
            ) : (
              <>On a shared computer, log out at {new URL(apicbase).host} too.</>
            )}
          </p>
        </div>
      )}

      <form action={signInWithApicbase}>
        <input type="hidden" name="returnTo" value={returnTo} />
        <button type="submit" className={`${buttonClasses("primary", "lg")} w-full`}>
          Sign in with Apicbase
        </button>
      </form>

      <p className="text-sm leading-6 text-slate-600">
        Apicbase tells the portal your user id, name and e-mail address. The portal keeps no Apicbase token from signing
        in.
      </p>

      {sandbox && <SandboxLogins emulatorBase={apicbase} />}
    </div>
  );
}
