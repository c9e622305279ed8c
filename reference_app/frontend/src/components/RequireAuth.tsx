"use client";
import Link from "next/link";
import type { ReactNode } from "react";

import { useAuth } from "@/lib/auth/AuthProvider";
import { useI18n } from "@/lib/i18n/I18nProvider";

/** Its children for a signed-in user; a link to log in otherwise. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  const { t } = useI18n();
  if (status === "loading") return <p>{t("loading")}</p>;
  if (status === "signedOut")
    return (
      <p>
        <Link href="/login" className="underline">
          {t("auth.required")}
        </Link>
      </p>
    );
  return <>{children}</>;
}
