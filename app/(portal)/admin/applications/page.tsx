import type { Metadata } from "next";
import { ApplicationCard } from "@/components/admin/application-card";
import { RegisterApplicationForm } from "@/components/admin/register-application-form";
import { Card } from "@/components/ui/card";
import { listApplications } from "@/lib/dal/applications";
import { CONNECT_CALLBACK_PATH, portalOrigin } from "@/lib/dal/connections";
import { requireAdmin } from "@/lib/dal/session";
import {
  deleteApplicationAction,
  disableApplicationAction,
  enableApplicationAction,
  registerApplicationAction,
  replaceSecretAction,
  testCredentialsAction,
} from "./actions";
import { PageHeader, PageSection } from "@/components/ui/page-title";

export const metadata: Metadata = { title: "Applications" };

export default async function AdminApplicationsPage() {
  const admin = await requireAdmin();
  const [applications, origin] = await Promise.all([listApplications(admin), portalOrigin()]);
  const now = new Date();
  const actions = {
    test: testCredentialsAction,
    replaceSecret: replaceSecretAction,
    disable: disableApplicationAction,
    enable: enableApplicationAction,
    remove: deleteApplicationAction,
  };
  const environment = applications.filter((application) => application.source === "environment");
  const registered = applications.filter((application) => application.source === "registered");

  return (
    <div className="space-y-10">
      <PageHeader context="Admin" title="Applications">
        The client credentials connections are issued to. Each connection remembers its application, because only the
        application that issued a token can refresh it: an application with connections can be disabled, not deleted.
      </PageHeader>

      <PageSection id="environment-applications-title" title="From the environment">
        {environment.map((application) => (
          <ApplicationCard key={application.id} application={application} actions={actions} now={now} />
        ))}
      </PageSection>

      <PageSection
        id="registered-applications-title"
        title={
          <>
            Registered in the portal <span className="font-normal text-slate-600">({registered.length})</span>
          </>
        }
      >
        {registered.length === 0 ? (
          <p className="text-slate-700">None yet: register one below.</p>
        ) : (
          <ul className="space-y-4">
            {registered.map((application) => (
              <li key={application.id}>
                <ApplicationCard application={application} actions={actions} now={now} />
              </li>
            ))}
          </ul>
        )}
      </PageSection>

      <Card
        id="register-application"
        title="Register an application"
        description={
          "Credentials of another Apicbase application, e.g. one per region or one without a redirect URL. " +
          "“Test credentials” afterwards tells whether Apicbase accepts them."
        }
      >
        <RegisterApplicationForm action={registerApplicationAction} redirectUri={`${origin}${CONNECT_CALLBACK_PATH}`} />
      </Card>
    </div>
  );
}
