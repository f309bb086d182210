import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { beforeEach, describe, expect, it } from "vitest";
import { memberships, users } from "@/lib/db/schema";
import type { LifecycleFixture } from "@/testing/lifecycle-fixtures";
import { refreshAfterRevokedGrant, useLifecycleFixture } from "@/testing/lifecycle-suite";
import { suiteResource } from "@/testing/suite";
import { createMailer, sendDueDigests, sendPendingAlerts, type EmailContext } from "./email";

type Received = { from: string; to: string[]; raw: string };

/** A real SMTP server, in this process, that keeps every message it accepts. */
async function smtpServer() {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    received,
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The decoded text of a quoted-printable mail body, enough to search in. */
const text = (raw: string) =>
  raw
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

describe("e-mail alerts and the daily digest", () => {
  let fixture: LifecycleFixture;
  let smtp: Awaited<ReturnType<typeof smtpServer>>;
  let email: EmailContext;
  const addresses = { alerts: "", digest: "", neither: "" };

  useLifecycleFixture((created) => (fixture = created));
  suiteResource(smtpServer, (server) => (smtp = server));
  beforeEach(async () => {
    smtp.received.length = 0;
    const stamp = crypto.randomUUID().slice(0, 8);
    let apicbaseUserId = Math.floor(Math.random() * 1e8) + 1000;
    for (const kind of ["alerts", "digest", "neither"] as const) {
      const address = `${kind}-${stamp}@partner.test`;
      const [user] = await fixture.db
        .insert(users)
        .values({ email: address, apicbaseUserId: apicbaseUserId++ })
        .returning();
      await fixture.db.insert(memberships).values({
        userId: user!.id,
        organizationId: fixture.organizationId,
        emailAlerts: kind === "alerts",
        emailDigest: kind === "digest",
      });
      addresses[kind] = address;
    }
    email = {
      db: fixture.db,
      mailer: createMailer(smtp.url),
      from: "Portal <portal@partner.test>",
      portalUrl: "https://portal.example.com",
      now: fixture.clock.now,
    };
  });

  it("an alert reaches the members who opted in, and only them, without a token", async () => {
    const id = await fixture.connection();
    const row = await fixture.row(id);
    await refreshAfterRevokedGrant(fixture, [id]);

    expect(await sendPendingAlerts(email)).toBe(1);
    expect(await sendPendingAlerts(email)).toBe(0);
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail!.to).toEqual([addresses.alerts]);
    expect(mail!.from).toBe("portal@partner.test");
    const body = text(mail!.raw);
    expect(body).toContain(`Subject: [Apicbase portal] ${row.libraryName}: needs re-authorization`);
    expect(body).toContain("Apicbase error code: invalid_grant");
    expect(body).toContain(`https://portal.example.com/connections/${id}`);
    expect(body).not.toContain(row.accessTokenCiphertext!);
    expect(body).not.toMatch(/(?<![A-Za-z0-9_-])[A-Za-z0-9]{30}(?![A-Za-z0-9_-])/);
  });

  it("an SMTP failure part way loses no alert: the failed one and those after it go in a later round", async () => {
    const ids = [await fixture.connection(), await fixture.connection(), await fixture.connection()];
    await refreshAfterRevokedGrant(fixture, ids);
    let calls = 0;
    const failingSecond: EmailContext["mailer"] = {
      sendMail: ((message: Parameters<EmailContext["mailer"]["sendMail"]>[0]) =>
        ++calls === 2
          ? Promise.reject(new Error("451 try again later"))
          : email.mailer.sendMail(message)) as EmailContext["mailer"]["sendMail"],
    };
    await expect(sendPendingAlerts({ ...email, mailer: failingSecond })).rejects.toThrow(/451/);
    expect(smtp.received).toHaveLength(1);

    expect(await sendPendingAlerts(email)).toBe(2);
    expect(await sendPendingAlerts(email)).toBe(0);
    expect(smtp.received).toHaveLength(3);
    const subjects = smtp.received.map((mail) => /Subject: \[Apicbase portal\] (.*?):/.exec(text(mail.raw))?.[1]);
    const names = await Promise.all(ids.map(async (id) => (await fixture.row(id)).libraryName));
    expect(new Set(subjects)).toEqual(new Set(names));
  });

  it("the daily digest lists the connections needing attention to the members who asked for it, once a day", async () => {
    const [broken, fine] = await fixture.insertConnections(2);
    const brokenRow = await fixture.row(broken!);
    const fineRow = await fixture.row(fine!);
    await refreshAfterRevokedGrant(fixture, [broken!]);

    expect(await sendDueDigests(email)).toBe(1);
    const digests = smtp.received.filter((mail) => /Daily digest/.test(mail.raw));
    expect(digests).toHaveLength(1);
    expect(digests[0]!.to).toEqual([addresses.digest]);
    const body = text(digests[0]!.raw);
    expect(body).toContain(`- ${brokenRow.libraryName} (library ${brokenRow.libraryId}): needs re-authorization`);
    expect(body).not.toContain(fineRow.libraryName);
    expect(body).not.toMatch(/(?<![A-Za-z0-9_-])[A-Za-z0-9]{30}(?![A-Za-z0-9_-])/);

    // Not again the same day, and again the next.
    expect(await sendDueDigests(email)).toBe(0);
    fixture.clock.advanceLocal(24 * 3600_000 + 1000);
    expect(await sendDueDigests(email)).toBe(1);
  });
});
