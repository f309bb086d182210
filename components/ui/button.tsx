import type { ComponentProps } from "react";

const VARIANTS = {
  primary: "bg-slate-900 text-white hover:bg-slate-700 disabled:bg-slate-500",
  secondary: "border border-slate-300 bg-white text-slate-900 hover:bg-slate-100",
  danger: "border border-red-300 bg-white text-red-800 hover:bg-red-50",
  quiet: "text-slate-700 underline-offset-2 hover:text-slate-950 hover:underline",
} as const;

const SIZES = { md: "px-4 py-2 text-sm", sm: "px-2.5 py-1 text-sm", lg: "px-5 py-3 text-base" } as const;

export type ButtonVariant = keyof typeof VARIANTS;

/** The classes of a button, for links that look like one. */
export function buttonClasses(variant: ButtonVariant = "primary", size: keyof typeof SIZES = "md"): string {
  return [
    "inline-flex items-center justify-center gap-2 rounded-lg font-medium transition-colors",
    "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600",
    "disabled:cursor-not-allowed",
    VARIANTS[variant],
    variant === "quiet" ? "" : SIZES[size],
  ].join(" ");
}

export function Button({
  variant = "primary",
  size = "md",
  className = "",
  type = "button",
  ...props
}: ComponentProps<"button"> & { variant?: ButtonVariant; size?: keyof typeof SIZES }) {
  return <button type={type} className={`${buttonClasses(variant, size)} ${className}`} {...props} />;
}
