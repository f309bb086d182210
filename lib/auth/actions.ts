"use server";

import { redirect, unstable_rethrow } from "next/navigation";
import { z } from "zod";
import { countSignInStart } from "@/lib/attempts/starts";
import { redirectAction } from "@/lib/dal/actions";
import { signIn, signInErrorPath, signOut } from "./index";
import { APICBASE_PROVIDER_ID } from "./provider";
import { safeReturnPath } from "./return-path";
import { classifySignInFailure, describeForLog } from "./sign-in-failures";

/** "Sign in with Apicbase": off to Apicbase's approval page, back to where the user was headed. */
export const signInWithApicbase = redirectAction(
  { name: "sign_in", access: "public", schema: z.object({ returnTo: z.string().optional() }), notAllowed: "/signin" },
  async (_ctx, { returnTo }) => {
    const redirectTo = safeReturnPath(returnTo ?? null);
    const verdict = await countSignInStart();
    if (!verdict.allowed) redirect(signInErrorPath("too_many_attempts", undefined, verdict.retryAfterSeconds));
    try {
      await signIn(APICBASE_PROVIDER_ID, { redirectTo });
    } catch (error) {
      // signIn() leaves by redirecting, which Next.js implements as a throw.
      unstable_rethrow(error);
      console.error(`[auth] starting a sign-in failed: ${describeForLog(error)}`);
      redirect(signInErrorPath(classifySignInFailure(error).failure));
    }
  },
);

/** Ends the session in the database too, so the cookie is worthless even if it was copied. */
export const signOutOfPortal = redirectAction(
  { name: "sign_out", access: "public", schema: z.object({}), notAllowed: "/signin" },
  async () => {
    await signOut({ redirectTo: "/signin?signedOut=1" });
  },
);
