/** The delivery loop as the web server and `npm run worker` run it: configured from the environment. */
import { resolveApicbaseSettings } from "@/lib/apicbase/config";
import type { Keyring } from "@/lib/crypto/secrets";
import type { Db } from "@/lib/db/client";
import type { Env } from "@/lib/env";
import { processId } from "@/lib/lifecycle/process-id";
import { Deliverer } from "./deliverer";
import { createMailer, sendDueDigests, sendPendingAlerts, type EmailContext } from "./email";

/** The digest is looked for once a minute; alerts every round of the loop. */
const DIGEST_CHECK_MS = 60_000;

/** Receivers on private networks and plain http: the sandbox, or WEBHOOK_ALLOW_PRIVATE_URLS=1. */
export function allowPrivateReceivers(config: Env): boolean {
  return config.WEBHOOK_ALLOW_PRIVATE_URLS === "1" || resolveApicbaseSettings(config).target === "sandbox";
}

export function delivererFromEnvironment(args: {
  db: Db;
  keyring: Keyring;
  env: Env;
  role: string;
  log: (line: string) => void;
}): Deliverer {
  const deliverer = new Deliverer({
    db: args.db,
    keyring: args.keyring,
    now: () => new Date(),
    owner: `${args.role}:${processId()}`,
    allowPrivate: allowPrivateReceivers(args.env),
    log: args.log,
  });
  const smtpUrl = args.env.SMTP_URL;
  if (smtpUrl) {
    const email: EmailContext = {
      db: args.db,
      mailer: createMailer(smtpUrl),
      from: args.env.SMTP_FROM,
      portalUrl: args.env.PORTAL_URL ?? null,
      now: () => new Date(),
    };
    let nextDigestCheck = 0;
    deliverer.also(async (now) => {
      await sendPendingAlerts(email);
      if (now.getTime() >= nextDigestCheck) {
        nextDigestCheck = now.getTime() + DIGEST_CHECK_MS;
        await sendDueDigests(email);
      }
    });
  }
  return deliverer;
}
