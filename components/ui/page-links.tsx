import Link from "next/link";

export type PageLink = { text: string; href: string; enabled: boolean; rel?: string };

/** The links of a pager (first / previous / next / last): a link when `enabled`, otherwise greyed-out text. */
export function PageLinks({
  links,
  listClassName,
  linkClassName,
  disabledClassName,
}: {
  links: PageLink[];
  listClassName: string;
  linkClassName: string;
  disabledClassName: string;
}) {
  return (
    <ul className={listClassName}>
      {links.map(({ text, href, enabled, rel }) => (
        <li key={text}>
          {enabled ? (
            <Link href={href} rel={rel} className={linkClassName}>
              {text}
            </Link>
          ) : (
            <span aria-disabled="true" className={disabledClassName}>
              {text}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
