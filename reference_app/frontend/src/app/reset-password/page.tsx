"use client";
/** Where the app's reset email lands: `{APP_FRONTEND_URL}/reset-password?token=...`. */
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { type FormEvent, Suspense, useState } from "react";

import { ErrorAlert, Field, buttonClass } from "@/components/forms";
import { callNoContent } from "@/lib/api/client";
import { useAuth } from "@/lib/auth/AuthProvider";
import { useI18n } from "@/lib/i18n/I18nProvider";

function ResetPasswordForm() {
  const { api } = useAuth();
  const { t } = useI18n();
  const token = useSearchParams().get("token");
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (!token) return <p role="alert">{t("reset.missingToken")}</p>;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const newPassword = String(new FormData(event.currentTarget).get("password"));
    setError(null);
    try {
      await callNoContent(
        api.POST("/api/v1/auth/password-reset/confirm", { body: { token: token ?? "", new_password: newPassword } }),
      );
      setDone(true);
    } catch (caught) {
      setError(caught);
    }
  }

  if (done)
    return (
      <p role="status">
        {t("reset.done")}{" "}
        <Link href="/login" className="underline">
          {t("nav.login")}
        </Link>
      </p>
    );
  return (
    <form onSubmit={onSubmit} className="max-w-sm space-y-4">
      <h1 className="text-2xl font-semibold">{t("reset.heading")}</h1>
      <ErrorAlert error={error} />
      <Field
        label={t("reset.newPassword")}
        name="password"
        type="password"
        autoComplete="new-password"
        required
        minLength={8}
        hint={t("form.passwordHint")}
      />
      <button type="submit" className={buttonClass}>
        {t("reset.save")}
      </button>
    </form>
  );
}

export default function ResetPasswordPage() {
  return (
    <Suspense>
      <ResetPasswordForm />
    </Suspense>
  );
}
