"use client";
import { useAuth } from "@/lib/auth/AuthProvider";
import { useI18n } from "@/lib/i18n/I18nProvider";

export default function HomePage() {
  const { status, user } = useAuth();
  const { t } = useI18n();
  return (
    <section className="space-y-2">
      <h1 className="text-2xl font-semibold">{t("home.heading")}</h1>
      <p>{status === "signedIn" ? t("home.signedIn", { email: user?.email ?? "" }) : t("home.signedOut")}</p>
    </section>
  );
}
