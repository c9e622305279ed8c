"use client";
/** The signed-in user's profile: the name, and a new password (which needs the current one). */
import { type FormEvent, useState } from "react";

import { ApiError } from "@/lib/api/errors";
import { useUpdateProfile } from "@/lib/api/hooks";
import { useAuth } from "@/lib/auth/AuthProvider";
import { useI18n } from "@/lib/i18n/I18nProvider";

import { ErrorAlert, Field, buttonClass } from "./forms";

export function ProfileForm() {
  const { t } = useI18n();
  const { user } = useAuth();
  const update = useUpdateProfile();
  const [saved, setSaved] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get("password") ?? "");
    const fullName = String(form.get("full_name") ?? "").trim();
    setSaved(false);
    await update
      .mutateAsync({
        full_name: fullName || null,
        ...(password ? { password, current_password: String(form.get("current_password") ?? "") } : {}),
      })
      .then(
        () => setSaved(true),
        () => undefined, // shown by ErrorAlert
      );
  }

  if (!user) return <p>{t("loading")}</p>;
  const invalid = update.error instanceof ApiError ? update.error.fields : [];
  return (
    <form key={user.updated_at} onSubmit={onSubmit} className="max-w-sm space-y-4">
      <h1 className="text-2xl font-semibold">{t("profile.heading")}</h1>
      <p className="text-sm">{user.email}</p>
      <ErrorAlert error={update.error} />
      {saved && <p role="status">{t("profile.saved")}</p>}
      <Field label={t("form.fullName")} name="full_name" defaultValue={user.full_name ?? ""} maxLength={100} invalid={invalid.includes("full_name")} />
      <Field
        label={t("profile.newPassword")}
        name="password"
        type="password"
        autoComplete="new-password"
        minLength={8}
        hint={t("form.passwordHint")}
        invalid={invalid.includes("password")}
      />
      <Field
        label={t("profile.currentPassword")}
        name="current_password"
        type="password"
        autoComplete="current-password"
        invalid={invalid.includes("current_password")}
      />
      <button type="submit" className={buttonClass} disabled={update.isPending}>
        {t("profile.save")}
      </button>
    </form>
  );
}
