import { Brand } from "./brand";
import { PublicFrame } from "./public-frame";

/**
 * The page frame for people who are not signed in (landing, sign-in, authorization links, not found): the brand bar.
 */
export function PublicShell(props: { children: React.ReactNode; mainClassName: string; footer?: React.ReactNode }) {
  return <PublicFrame brand={<Brand />} {...props} />;
}
