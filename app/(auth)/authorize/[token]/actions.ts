"use server";

import { redirect } from "next/navigation";
import { resolveApicbaseSettings } from "@/lib/apicbase/config";
import { clientForApplication } from "@/lib/connections/applications";
import { getKeyring } from "@/lib/connections/keyring";
import { beginLinkAuthorization, findLink } from "@/lib/connections/links";
import { CONNECT_CALLBACK_PATH, portalOrigin } from "@/lib/dal/connections";
import { applications, getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { eq } from "drizzle-orm";

/** "Continue to Apicbase": the link itself is the authorization; no portal account is needed. */
export async function continueToApicbaseAction(formData: FormData): Promise<void> {
  const token = String(formData.get("token") ?? "");
  const { db } = await getDb();
  const now = new Date();
  const link = await findLink(db, token, now);
  if (!link || link.state !== "open") redirect(`/authorize/${encodeURIComponent(token)}`);
  const keyring = getKeyring();
  const [app] = await db
    .select({ scopes: applications.scopes })
    .from(applications)
    .where(eq(applications.id, link.applicationId));
  const client = await clientForApplication(db, keyring, resolveApicbaseSettings(env()), link.applicationId);
  const url = await beginLinkAuthorization(db, keyring, client, {
    token,
    redirectUri: `${await portalOrigin()}${CONNECT_CALLBACK_PATH}`,
    scopes: app?.scopes ?? ["accounts", "library"],
    now,
  });
  redirect(url ?? `/authorize/${encodeURIComponent(token)}`);
}
