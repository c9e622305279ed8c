"use client";
/** Ask for a reset link. The app answers the same whether the account exists or not. */
import { type FormEvent, useState } from "react";

import { ErrorAlert, Field, buttonClass } from "@/components/forms";
import { callNoContent } from "@/lib/api/client";
import { useAuth } from "@/lib/auth/AuthProvider";
import { useI18n } from "@/lib/i18n/I18nProvider";

export default function ForgotPasswordPage() {
  const { api } = useAuth();
  const { t } = useI18n();
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get("email"));
    setError(null);
    try {
      await callNoContent(api.POST("/api/v1/auth/password-reset", { body: { email } }));
      setSent(true);
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <form onSubmit={onSubmit} className="max-w-sm space-y-4">
      <h1 className="text-2xl font-semibold">{t("reset.request")}</h1>
      <ErrorAlert error={error} />
      {sent ? (
        <p role="status">{t("reset.sent")}</p>
      ) : (
        <>
          <Field label={t("form.email")} name="email" type="email" autoComplete="email" required />
          <button type="submit" className={buttonClass}>
            {t("reset.send")}
          </button>
        </>
      )}
    </form>
  );
}
