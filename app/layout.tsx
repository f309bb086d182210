import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Apicbase partner portal", template: "%s · Apicbase partner portal" },
  description: "Connect, watch and repair your customers' Apicbase library connections.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
