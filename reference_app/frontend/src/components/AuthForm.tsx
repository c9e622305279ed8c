"use client";
/** The sign-up and log-in form: one component, since both send an email and a password. */
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";

import { ApiError } from "@/lib/api/errors";
import { useAuth } from "@/lib/auth/AuthProvider";
import { useI18n } from "@/lib/i18n/I18nProvider";

import { ErrorAlert, Field, buttonClass } from "./forms";

export function AuthForm({ mode, next = "/todos" }: { mode: "login" | "signup"; next?: string }) {
  const { login, signup } = useAuth();
  const { t } = useI18n();
  const router = useRouter();
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const credentials = { email: String(form.get("email")), password: String(form.get("password")) };
    setPending(true);
    setError(null);
    try {
      if (mode === "login") await login(credentials);
      else await signup(credentials);
      router.push(next);
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  }

  const invalid = error instanceof ApiError ? error.fields : [];
  return (
    <form onSubmit={onSubmit} className="max-w-sm space-y-4" noValidate={false}>
      <h1 className="text-2xl font-semibold">{t(mode === "login" ? "login.heading" : "signup.heading")}</h1>
      <ErrorAlert error={error} />
      <Field label={t("form.email")} name="email" type="email" autoComplete="email" required invalid={invalid.includes("email")} />
      <Field
        label={t("form.password")}
        name="password"
        type="password"
        autoComplete={mode === "login" ? "current-password" : "new-password"}
        required
        minLength={mode === "signup" ? 8 : undefined}
        hint={mode === "signup" ? t("form.passwordHint") : undefined}
        invalid={invalid.includes("password")}
      />
      <button type="submit" className={buttonClass} disabled={pending}>
        {pending ? t("form.working") : t(mode === "login" ? "form.submit.login" : "form.submit.signup")}
      </button>
      {mode === "login" && (
        <p className="text-sm">
          <Link href="/forgot-password" className="underline">
            {t("form.forgot")}
          </Link>
        </p>
      )}
    </form>
  );
}
