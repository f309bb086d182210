import Link from "next/link";
import { BrandMark, brandLink } from "./brand-mark";

/** The portal's name and mark, linking home. */
export function Brand({ href = "/" }: { href?: string }) {
  return (
    <Link href={href} className={brandLink}>
      <BrandMark />
    </Link>
  );
}
