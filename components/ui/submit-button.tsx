"use client";

import { useFormStatus } from "react-dom";
import { Button, type ButtonVariant } from "./button";

/** A form's submit button, disabled while the form's action runs so a double click does not submit twice. */
export function SubmitButton({
  children,
  pendingLabel,
  variant = "primary",
  size = "md",
  disabled = false,
  ...props
}: {
  children: React.ReactNode;
  pendingLabel: string;
  /** Disabled from outside too (another action of the same thing is running). */
  disabled?: boolean;
  variant?: ButtonVariant;
  size?: "md" | "sm" | "lg";
  "aria-label"?: string;
}) {
  const { pending } = useFormStatus();
  return (
    <Button
      type="submit"
      variant={variant}
      size={size}
      disabled={pending || disabled}
      aria-disabled={pending || disabled}
      {...props}
    >
      {pending ? pendingLabel : children}
    </Button>
  );
}
