/**
 * For tests: checks an answer of the token API against its OpenAPI document, the status documented for that path
 * and method and the body against the documented schema (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses).
 */
import { Ajv2020 } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { openApiDocument } from "@/lib/token-api/openapi";

type Operation = { responses: Record<string, { content?: Record<string, unknown> }> };

const document = openApiDocument() as unknown as { paths: Record<string, Record<string, Operation>> };
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(document as object, "openapi");

const templates = Object.keys(document.paths).map((template) => ({
  template,
  pattern: new RegExp(
    `^${template
      .replace(/\./g, "\\.")
      .replace(/\{path\}/g, ".*")
      .replace(/\{[^}]+\}/g, "[^/]+")}$`,
  ),
}));

const pointer = (...parts: string[]) => parts.map((part) => part.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

function validate(ref: string, body: unknown, what: string): void {
  const check = ajv.getSchema(ref);
  if (!check) throw new Error(`${what}: no schema at ${ref}`);
  if (!check(body))
    throw new Error(
      `${what}: the answer does not match the OpenAPI document: ${ajv.errorsText(check.errors)}\n${JSON.stringify(body)}`,
    );
}

/**
 * Throws unless the answer is one the document describes for this request. Returns the parsed JSON body (null for
 * an answer without one) so that tests go on asserting on it.
 */
export async function documented(method: string, url: string, response: Response): Promise<unknown> {
  const path = new URL(url, "http://portal.test").pathname.replace(/\/$/, "") || "/";
  const what = `${method} ${path} -> ${response.status}`;
  const text = await response.clone().text();
  const body: unknown = text ? JSON.parse(text) : null;
  const match = templates.find((entry) => entry.pattern.test(path));
  const operation = match && document.paths[match.template]?.[method.toLowerCase()];
  if (!match || !operation) {
    // Unknown paths and methods: the error answers every path has.
    if (![400, 404, 405].includes(response.status)) throw new Error(`${what}: not a documented path and method`);
    validate("openapi#/components/schemas/Error", body, what);
    return body;
  }
  const status = String(response.status);
  // The proxy passes Apicbase's own answers on, any status, marked as such.
  const forwarded = response.headers.get("apicbase-forwarded") === "1" && operation.responses.default;
  const documentedAs = forwarded
    ? "default"
    : operation.responses[status]
      ? status
      : operation.responses.default
        ? "default"
        : null;
  if (!documentedAs) throw new Error(`${what}: status ${status} is not documented for ${method} ${match.template}`);
  const content = operation.responses[documentedAs]?.content;
  if (content && "application/json" in content && text) {
    const schemaRef = `openapi#/${pointer("paths", match.template, method.toLowerCase(), "responses", documentedAs, "content", "application/json", "schema")}`;
    validate(schemaRef, body, what);
  }
  return body;
}
