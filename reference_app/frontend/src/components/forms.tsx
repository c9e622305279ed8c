"use client";
/** Accessible form parts: every input has a label, and errors are announced (role="alert"). */
import { type InputHTMLAttributes, useId } from "react";

import { ApiError } from "@/lib/api/errors";
import { useI18n } from "@/lib/i18n/I18nProvider";

export const inputClass =
  "w-full rounded border border-zinc-300 bg-white px-3 py-2 dark:border-zinc-600 dark:bg-zinc-900 " +
  "aria-[invalid=true]:border-red-600";
export const buttonClass =
  "rounded bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800 disabled:opacity-50";

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  hint?: string;
  invalid?: boolean;
}

export function Field({ label, hint, invalid = false, ...input }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <input
        id={id}
        aria-invalid={invalid}
        aria-describedby={hint ? hintId : undefined}
        className={inputClass}
        {...input}
      />
      {hint && (
        <p id={hintId} className="text-xs text-zinc-600 dark:text-zinc-400">
          {hint}
        </p>
      )}
    </div>
  );
}

/** The human message for an error (the app's code, translated), announced to screen readers. */
export function ErrorAlert({ error }: { error: unknown }) {
  const { errorMessage } = useI18n();
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : "UNKNOWN";
  return (
    <p role="alert" data-error-code={code} className="rounded bg-red-50 p-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">
      {errorMessage(code)}
    </p>
  );
}
