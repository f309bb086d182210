import type { Metadata } from "next";
import Link from "next/link";
import { CodeExample } from "@/components/api-keys/code-example";
import { Card } from "@/components/ui/card";
import { portalOrigin } from "@/lib/dal/connections";
import { requireSelectedOrganization } from "@/lib/dal/session";
import type { SearchParams } from "@/lib/search-params";
import { openApiDocument } from "@/lib/token-api/openapi";
import type { AccessTokenBody, ConnectionListBody, ErrorBody } from "@/lib/token-api/schemas";
import { PageTitle } from "@/components/ui/page-title";
import { HeaderRow } from "@/components/ui/data-table";

export const metadata: Metadata = { title: "Token API reference" };

type Parameter = {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Record<string, unknown>;
};
type Operation = {
  operationId: string;
  summary: string;
  description?: string;
  parameters?: Parameter[];
  responses: Record<string, { description: string }>;
};

const CONNECTION = "7c0e9a52-3f1d-4c8e-9b7a-2d4f6e8a1b3c";

// Example answers, typed by the same schemas as the API's answers.
const ACCESS_TOKEN: AccessTokenBody = {
  connection_id: CONNECTION,
  access_token: "…",
  token_type: "Bearer",
  expires_at: "2026-12-04T10:00:00.000Z",
  expires_in: 591234,
  scopes: ["accounts", "library"],
  library: { id: 101, name: "Bistro Nord" },
  refreshed: false,
};
const LIST: ConnectionListBody = {
  data: [
    {
      id: CONNECTION,
      library: { id: 101, name: "Bistro Nord" },
      status: "active",
      scopes: ["accounts", "library"],
      access_token_expires_at: "2026-12-04T10:00:00.000Z",
      last_refreshed_at: "2026-11-27T10:00:00.000Z",
      application_id: "0b6f3c1e-5d2a-4e7b-8c9d-1a2b3c4d5e6f",
    },
  ],
  next_cursor: null,
};
const AMBIGUOUS: ErrorBody = {
  error: "ambiguous_library",
  message: "2 connections reach library 101; ask for one of them by its id.",
  candidates: [
    { id: CONNECTION, library: { id: 101, name: "Bistro Nord" }, status: "active" },
    { id: "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", library: { id: 102, name: "Café Zuid" }, status: "active" },
  ],
};

function examples(operationId: string, origin: string): { title: string; code: string }[] {
  const auth = `-H "Authorization: Bearer $PORTAL_API_KEY"`;
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  switch (operationId) {
    case "listConnections":
      return [
        { title: "Request", code: `curl -s ${auth} "${origin}/api/v1/connections?limit=50"` },
        {
          title: "Only one library's connections",
          code: `curl -s ${auth} "${origin}/api/v1/connections?library_id=101"`,
        },
        { title: "Answer (200)", code: json(LIST) },
      ];
    case "connectionAccessToken":
      return [
        {
          title: "Request",
          code: `curl -s ${auth} "${origin}/api/v1/connections/${CONNECTION}/access-token?min_valid_seconds=3600"`,
        },
        {
          title: "Refresh now",
          code: `curl -s ${auth} "${origin}/api/v1/connections/${CONNECTION}/access-token?force_refresh=true"`,
        },
        { title: "Answer (200)", code: json(ACCESS_TOKEN) },
      ];
    case "libraryAccessToken":
      return [
        { title: "Request", code: `curl -s ${auth} "${origin}/api/v1/libraries/101/access-token"` },
        { title: "Answer (200)", code: json(ACCESS_TOKEN) },
        { title: "Answer when several connections reach the library (409)", code: json(AMBIGUOUS) },
      ];
    case "getConnectionApicbase":
      return [
        {
          title: "Read through the proxy",
          code: `curl -s ${auth} "${origin}/api/v1/connections/${CONNECTION}/apicbase/accounts/libraries/active/"`,
        },
        {
          title: "Write through the proxy",
          code:
            `curl -s ${auth} -H "Content-Type: application/json" \\\n  -d '{"name": "Saffron", "unit": "g"}' ` +
            `"${origin}/api/v1/connections/${CONNECTION}/apicbase/products/ingredients/"`,
        },
      ];
    case "getLibraryApicbase":
      return [
        {
          title: "Read through the proxy by library id",
          code: `curl -s ${auth} "${origin}/api/v1/libraries/101/apicbase/products/ingredients/"`,
        },
      ];
    case "openApiDocument":
      return [{ title: "Request", code: `curl -s "${origin}/api/v1/openapi.json"` }];
    default:
      return [];
  }
}

/** Backticks in the document's descriptions become code. */
function Prose({ text }: { text: string }) {
  return (
    <>
      {text
        .split(/(`[^`]+`)/)
        .map((part, i) =>
          part.startsWith("`") && part.endsWith("`") ? (
            <code key={i}>{part.slice(1, -1)}</code>
          ) : (
            <span key={i}>{part}</span>
          ),
        )}
    </>
  );
}

function typeOf(schema: Record<string, unknown> | undefined): string {
  if (!schema) return "";
  if (Array.isArray(schema.enum)) return schema.enum.join(" | ");
  const range =
    schema.minimum !== undefined && schema.maximum !== undefined ? ` ${schema.minimum}–${schema.maximum}` : "";
  const type = String(schema.type ?? (schema.format ? "string" : ""));
  return `${type}${schema.format ? ` (${String(schema.format)})` : ""}${range}`;
}

/**
 * The token API's reference, rendered from the same OpenAPI document the API serves: every endpoint with its
 * parameters, answers and examples to copy.
 */
export default async function TokenApiReferencePage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const { organization } = await requireSelectedOrganization(params.organization);
  const origin = await portalOrigin();
  const document = openApiDocument() as unknown as {
    info: { description: string };
    paths: Record<string, Record<string, Operation>>;
  };

  const sections = Object.entries(document.paths).map(([path, item]) => {
    const methods = Object.keys(item);
    const operation = item[methods[0]!]!;
    return { path, methods, operation };
  });

  return (
    <div className="space-y-8">
      <div className="space-y-2">
        <p className="text-sm font-medium text-slate-600">
          <Link
            href={`/api-keys?organization=${organization.id}`}
            className="text-sky-800 underline underline-offset-2"
          >
            API keys
          </Link>{" "}
          / Reference
        </p>
        <PageTitle>Token API reference</PageTitle>
        <p className="max-w-prose leading-7 text-slate-700">
          <Prose text={document.info.description} />
        </p>
        <p className="max-w-prose leading-7 text-slate-700">
          Machine-readable as OpenAPI 3.1 at <code>{origin}/api/v1/openapi.json</code>.{" "}
          <>
            Set <code>PORTAL_API_KEY</code> to a key from the API keys page, then copy any example below.
          </>
        </p>
      </div>

      <nav aria-label="Endpoints" className="rounded-xl border border-slate-200 bg-white p-4 text-sm">
        <ul className="space-y-1">
          {sections.map(({ path, methods, operation }) => (
            <li key={path}>
              <a href={`#${operation.operationId}`} className="font-mono text-sky-800 underline underline-offset-2">
                {methods.length > 1 ? "ANY" : methods[0]!.toUpperCase()} {path}
              </a>{" "}
              <span className="text-slate-600">{operation.summary}</span>
            </li>
          ))}
        </ul>
      </nav>

      {sections.map(({ path, methods, operation }) => (
        <Card
          key={path}
          id={operation.operationId}
          title={`${methods.map((m) => m.toUpperCase()).join(", ")} ${path}`}
          description={operation.summary}
        >
          <div className="space-y-4 text-sm leading-6 text-slate-700">
            {operation.description && (
              <p className="max-w-prose">
                <Prose text={operation.description} />
              </p>
            )}
            {operation.parameters && operation.parameters.length > 0 && (
              <table className="w-full text-left">
                <caption className="sr-only">Parameters</caption>
                <thead className="text-slate-600">
                  <HeaderRow
                    columns={["Parameter", "In", "Type", "Meaning"]}
                    cell="py-1 pr-4 font-medium"
                    lastCell="py-1 font-medium"
                  />
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {operation.parameters.map((parameter) => (
                    <tr key={`${parameter.in}-${parameter.name}`}>
                      <td className="py-1 pr-4 font-mono">
                        {parameter.name}
                        {parameter.required ? "" : " (optional)"}
                      </td>
                      <td className="py-1 pr-4">{parameter.in}</td>
                      <td className="py-1 pr-4 font-mono text-xs">{typeOf(parameter.schema)}</td>
                      <td className="py-1">{parameter.description && <Prose text={parameter.description} />}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <table className="w-full text-left">
              <caption className="sr-only">Answers</caption>
              <thead className="text-slate-600">
                <HeaderRow columns={["Status", "When"]} cell="py-1 pr-4 font-medium" lastCell="py-1 font-medium" />
              </thead>
              <tbody className="divide-y divide-slate-100">
                {Object.entries(operation.responses).map(([status, response]) => (
                  <tr key={status}>
                    <td className="py-1 pr-4 font-mono">{status === "default" ? "any" : status}</td>
                    <td className="py-1">
                      <Prose text={response.description} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {examples(operation.operationId, origin).map((example) => (
              <CodeExample key={example.title} title={example.title} code={example.code} />
            ))}
          </div>
        </Card>
      ))}
    </div>
  );
}
