import type { ApicbaseEndpoints } from "@/lib/apicbase/config";

const LABELS: Record<keyof ApicbaseEndpoints, string> = {
  authorize: "Authorize",
  token: "Token",
  introspect: "Introspection",
  revoke: "Revocation",
  api: "REST API",
};

/** The Apicbase endpoints and the client id in use. Never the client secret. */
export function EndpointList({ endpoints, clientId }: { endpoints: ApicbaseEndpoints; clientId: string }) {
  const rows: [string, string][] = [
    ...(Object.keys(LABELS) as (keyof ApicbaseEndpoints)[]).map((key): [string, string] => [
      LABELS[key],
      endpoints[key],
    ]),
    ["Client id", clientId],
  ];
  return (
    <dl className="divide-y divide-slate-200 text-sm">
      {rows.map(([label, value]) => (
        <div key={label} className="grid gap-1 py-2.5 sm:grid-cols-[9rem_1fr] sm:gap-4">
          <dt className="font-medium text-slate-600">{label}</dt>
          <dd className="font-mono break-all text-slate-900">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
