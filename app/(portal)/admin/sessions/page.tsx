import type { Metadata } from "next";
import Link from "next/link";
import { ButtonForm } from "@/components/admin/button-form";
import { EndSessionsButton } from "@/components/admin/end-sessions-button";
import { DateTime } from "@/components/date-time";
import { currentSessionId } from "@/lib/auth/session-token";
import { listActiveSessions, type SessionView } from "@/lib/dal/sessions";
import { requireAdmin } from "@/lib/dal/session";
import { recordId } from "@/lib/forms";
import { firstParam, type SearchParams } from "@/lib/search-params";
import { endSessionAction, endUserSessionsAction } from "./actions";
import { PageHeader } from "@/components/ui/page-title";
import { cx } from "@/components/ui/classes";
import { ACTIONS_COLUMN, DataTable } from "@/components/ui/data-table";

export const metadata: Metadata = { title: "Sessions" };

const link =
  "font-medium text-sky-800 underline underline-offset-2 hover:text-sky-950 focus-visible:outline-2 " +
  "focus-visible:outline-offset-2 focus-visible:outline-sky-600";

type UserSessions = { user: SessionView["user"]; sessions: SessionView[] };

function byUser(sessions: SessionView[]): UserSessions[] {
  const groups = new Map<string, UserSessions>();
  for (const session of sessions) {
    const group = groups.get(session.user.id) ?? { user: session.user, sessions: [] };
    group.sessions.push(session);
    groups.set(session.user.id, group);
  }
  return [...groups.values()];
}

export default async function AdminSessionsPage({ searchParams }: { searchParams: SearchParams }) {
  const admin = await requireAdmin();
  const userParam = firstParam((await searchParams).user);
  const userId = userParam && recordId.safeParse(userParam).success ? userParam : undefined;
  const now = new Date();
  const sessions = await listActiveSessions(admin, { userId, now, currentId: await currentSessionId() });
  const groups = byUser(sessions);
  const cell = "px-3 py-2.5 align-top";

  return (
    <div className="space-y-8">
      <PageHeader
        context="Admin"
        title="Sessions"
        more={
          userId && (
            <p className="text-sm text-slate-700">
              Showing one user&apos;s sessions.{" "}
              <Link href="/admin/sessions" className={link}>
                Show everyone&apos;s
              </Link>
            </p>
          )
        }
      >
        Everyone signed in to the portal right now. Ending a session signs that browser out at its next click; the
        person stays a member and can sign in again. A session is shown by a fingerprint of its token, never the token.
        Sessions end by themselves after 8 hours without activity.
      </PageHeader>

      {groups.length === 0 ? (
        <p className="text-slate-700">No active sessions{userId ? " for this user" : ""}.</p>
      ) : (
        <ul className="space-y-6">
          {groups.map(({ user, sessions: userSessions }) => {
            const who = user.email ?? user.name ?? "A former user";
            return (
              <li key={user.id}>
                <section
                  aria-labelledby={`sessions-${user.id}-title`}
                  className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
                >
                  <div className="flex flex-wrap items-start justify-between gap-3">
                    <div>
                      <h2 id={`sessions-${user.id}-title`} className="text-lg font-semibold text-slate-900">
                        {user.name ?? who}
                      </h2>
                      <p className="text-sm text-slate-600">
                        {user.name && user.email ? `${user.email} · ` : ""}
                        {userSessions.length} active {userSessions.length === 1 ? "session" : "sessions"}
                      </p>
                    </div>
                    <EndSessionsButton action={endUserSessionsAction} userId={user.id} who={who} />
                  </div>
                  <DataTable
                    frame="mt-4 overflow-x-auto"
                    caption={<>Active sessions of {who}</>}
                    cell={cell}
                    columns={["Session", "Signed in", "Last active", "Expires", ACTIONS_COLUMN]}
                  >
                    <tbody className="divide-y divide-slate-100">
                      {userSessions.map((session) => (
                        <tr key={session.id}>
                          <th scope="row" className={`${cell} text-left font-normal whitespace-nowrap`}>
                            <code
                              className="font-mono text-slate-900"
                              title="First 8 characters of the SHA-256 of the session token"
                            >
                              {session.fingerprint}
                            </code>
                            {session.current && (
                              <span
                                className={cx(
                                  "ml-2 rounded-full bg-sky-50 px-2 py-0.5 text-xs",
                                  "font-semibold text-sky-900 ring-1 ring-sky-600/30 ring-inset",
                                )}
                              >
                                This browser
                              </span>
                            )}
                          </th>
                          <td className={cell}>
                            <DateTime date={session.startedAt} now={now} />
                          </td>
                          <td className={cell}>
                            <DateTime date={session.lastActiveAt} now={now} />
                            <span className="block text-xs text-slate-500">to within 15 minutes</span>
                          </td>
                          <td className={cell}>
                            <DateTime date={session.expiresAt} now={now} />
                          </td>
                          <td className={`${cell} text-right whitespace-nowrap`}>
                            <ButtonForm
                              action={endSessionAction}
                              fields={{ sessionId: session.id }}
                              text="End session"
                              pendingLabel="Ending…"
                              label={endSessionLabel(session.fingerprint, who, session.current)}
                              confirm={{
                                title: `End session ${session.fingerprint} of ${who}?`,
                                body: session.current
                                  ? "This is your own browser: you are signed out at once."
                                  : "That browser is signed out of the portal; its next click lands on the sign-in " +
                                    "page.",
                                confirmText: "Yes, end session",
                              }}
                            />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </DataTable>
                </section>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

function endSessionLabel(fingerprint: string, who: string, current: boolean): string {
  return `End session ${fingerprint} of ${who}${current ? " (this browser: you will be signed out)" : ""}`;
}
