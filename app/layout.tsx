import type { Metadata } from "next";
import { connection } from "next/server";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Apicbase partner portal", template: "%s · Apicbase partner portal" },
  description: "Connect, watch and repair your customers' Apicbase library connections.",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Rendered per request, every page (the not-found page too): Next.js puts the request's CSP nonce (proxy.ts) on its
  // scripts only while rendering; a page prerendered at build time would carry none and be blocked.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
