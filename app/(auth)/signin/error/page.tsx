import type { Metadata } from "next";
import Link from "next/link";
import { SignOutButton } from "@/components/sign-out-button";
import { buttonClasses } from "@/components/ui/button";
import { displayableErrorCode, failureFromQuery, SIGN_IN_FAILURE_MESSAGES } from "@/lib/auth/sign-in-failures";
import { firstParam, type SearchParams } from "@/lib/search-params";
import { DateTime } from "@/components/date-time";
import { PageTitle } from "@/components/ui/page-title";
import { DETAILS_LIST } from "@/components/ui/classes";

export const metadata: Metadata = { title: "Sign-in failed" };

/** Where every failed sign-in ends (Auth.js's `pages.error`): what happened, in words, and what to do. */
export default async function SignInErrorPage({ searchParams }: { searchParams: SearchParams }) {
  const query = await searchParams;
  const failure = failureFromQuery({ reason: firstParam(query.reason), error: firstParam(query.error) });
  const { title, explanation, action } = SIGN_IN_FAILURE_MESSAGES[failure];
  const code = displayableErrorCode(firstParam(query.code));
  const now = new Date();
  // Only a whole number of seconds up to the longest window: nothing else of the URL is shown.
  const retryAfter = /^\d{1,4}$/.test(firstParam(query.retry_after) ?? "")
    ? Number(firstParam(query.retry_after))
    : null;
  const retryAt =
    failure === "too_many_attempts" && retryAfter !== null && retryAfter <= 3600
      ? new Date(now.getTime() + retryAfter * 1000)
      : null;

  return (
    <div className="space-y-6">
      <div className="space-y-3">
        <PageTitle>{title}</PageTitle>
        <p className="leading-7 text-slate-700">{explanation}</p>
        <p className="leading-7 font-medium text-slate-900">{action}</p>
      </div>

      <div className="flex flex-wrap items-center gap-3">
        {failure === "account_conflict" ? (
          <SignOutButton />
        ) : (
          <Link href="/signin" className={buttonClasses("primary")}>
            Sign in again
          </Link>
        )}
        <Link href="/" className={buttonClasses("secondary")}>
          Portal home
        </Link>
      </div>

      <dl className={DETAILS_LIST}>
        {code && (
          <>
            <dt className="text-slate-600">Apicbase&apos;s error code</dt>
            <dd className="font-mono text-slate-900">{code}</dd>
          </>
        )}
        <dt className="text-slate-600">When</dt>
        <dd className="text-slate-900">
          <DateTime date={now} now={now} />
        </dd>
        {retryAt && (
          <>
            <dt className="text-slate-600">Sign in again from</dt>
            <dd className="text-slate-900">
              <DateTime date={retryAt} now={now} />
            </dd>
          </>
        )}
      </dl>
    </div>
  );
}
