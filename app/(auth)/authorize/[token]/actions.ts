"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { redirectAction } from "@/lib/dal/actions";
import { beginLinkApproval } from "@/lib/dal/connect-flows";
import { CONNECT_CALLBACK_PATH, portalOrigin } from "@/lib/dal/connections";

/** "Continue to Apicbase": the link itself is the authorization; no portal account is needed. */
export const continueToApicbaseAction = redirectAction(
  {
    name: "continue_to_apicbase",
    access: "public",
    schema: z.object({ token: z.string().optional() }),
    notAllowed: "/",
  },
  async (_ctx, { token = "" }) => {
    const url = await beginLinkApproval(token, `${await portalOrigin()}${CONNECT_CALLBACK_PATH}`);
    redirect(url ?? `/authorize/${encodeURIComponent(token)}`);
  },
);
