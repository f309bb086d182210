import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { screenshot, signedInPage } from "./journey";

/**
 * Every page passes axe with no serious or critical violation (WCAG 2.1 A and AA rules: names, labels, contrast,
 * structure), as a partner and as an admin, and a selection of pages again in dark mode (the portal follows the
 * system setting). Runs late, when the journeys before it have filled the pages with connections, links, keys,
 * webhooks and bulk jobs.
 */
test.describe.configure({ mode: "serial" });
// Dozens of pages, each analysed by axe: longer than a journey.
test.setTimeout(300_000);

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

type Finding = { page: string; scheme: string; rule: string; impact: string; help: string; targets: string[] };

async function audit(page: Page, path: string, scheme: "light" | "dark"): Promise<Finding[]> {
  await page.emulateMedia({ colorScheme: scheme });
  await page.goto(path);
  await page.waitForLoadState("networkidle");
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => ({
      page: path,
      scheme,
      rule: violation.id,
      impact: violation.impact!,
      help: violation.help,
      targets: violation.nodes.slice(0, 5).map((node) => node.target.join(" ")),
    }));
}

/** The first link on the page whose address matches, as a path. */
async function firstHref(page: Page, pattern: RegExp): Promise<string | null> {
  const hrefs = await page.locator("a[href]").evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
  return hrefs.find((href) => pattern.test(href)) ?? null;
}

async function auditAll(page: Page, paths: string[], darkToo: string[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const path of paths) findings.push(...(await audit(page, path, "light")));
  for (const path of darkToo) {
    findings.push(...(await audit(page, path, "dark")));
    await screenshot(page, `dark-${path.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "") || "home"}`);
  }
  await page.emulateMedia({ colorScheme: "light" });
  return findings;
}

test("no public page has a serious or critical accessibility violation, light or dark", async ({ page }) => {
  const findings = await auditAll(
    page,
    ["/", "/signin", "/signin/error?error=AccessDenied", `/authorize/${"x".repeat(43)}`, "/authorize/result"],
    ["/", "/signin"],
  );
  expect(findings).toEqual([]);
});

test("no page a partner sees has a serious or critical accessibility violation, light or dark", async ({ browser }) => {
  const page = await signedInPage(browser, "partner");
  await page.goto("/connections");
  const connection = await firstHref(page, new RegExp(`^/connections/${UUID}$`));
  const paths = [
    "/connections",
    "/connections?status=needs_reauthorization",
    "/connections?q=no-such-library",
    "/connections/import",
    "/links",
    "/api-keys",
    "/api-keys/reference",
    "/webhooks",
    "/connections/00000000-0000-4000-8000-000000000000",
  ];
  if (connection) paths.push(connection, `${connection}?handouts=1`);
  const findings = await auditAll(page, paths, ["/connections", ...(connection ? [connection] : []), "/links"]);
  expect(findings).toEqual([]);
  await page.context().close();
});

test("no page an admin sees has a serious or critical accessibility violation, light or dark", async ({ browser }) => {
  const page = await signedInPage(browser, "admin");
  await page.goto("/admin/connections");
  const job = await firstHref(page, new RegExp(`^/connections/jobs/${UUID}$`));
  const connection = await firstHref(page, new RegExp(`^/connections/${UUID}$`));
  const paths = [
    "/admin",
    "/admin/connections",
    "/admin/applications",
    "/admin/organizations",
    "/admin/members",
    "/admin/sessions",
    "/admin/audit",
    "/admin/audit?outcome=failure",
  ];
  // A bulk job's page (the bulk journey's, in an organization of its own).
  await page.goto("/admin/organizations");
  const organization = await firstHref(page, new RegExp(`^/connections\\?organization=${UUID}`));
  if (organization) {
    await page.goto(organization);
    const jobHere = await firstHref(page, new RegExp(`^/connections/jobs/${UUID}$`));
    if (jobHere) paths.push(jobHere);
  }
  if (connection) paths.push(connection);
  if (job) paths.push(job);
  const findings = await auditAll(page, paths, ["/admin", "/admin/connections", "/admin/audit", ...paths.slice(-1)]);
  expect(findings).toEqual([]);
  await page.context().close();
});
