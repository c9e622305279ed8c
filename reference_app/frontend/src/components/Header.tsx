"use client";
/** Navigation, the live-updates indicator, the language and theme switches, and log out. */
import Link from "next/link";
import { useRouter } from "next/navigation";

import { useAuth } from "@/lib/auth/AuthProvider";
import { useLiveUpdates } from "@/lib/events/useLiveUpdates";
import { useI18n } from "@/lib/i18n/I18nProvider";
import { LOCALES, type Locale } from "@/lib/i18n/messages";

import { ThemeToggle } from "./ThemeToggle";

const LIVE_COLOURS = { open: "bg-green-500", connecting: "bg-amber-400", closed: "bg-red-500" } as const;

export function Header() {
  const { status, user, session, logout } = useAuth();
  const { t, locale, setLocale } = useI18n();
  const live = useLiveUpdates(session, status !== "loading");
  const router = useRouter();

  return (
    <header className="border-b border-zinc-200 dark:border-zinc-800">
      <nav className="mx-auto flex max-w-3xl flex-wrap items-center gap-4 p-4" aria-label="Main">
        <Link href="/" className="font-semibold">
          {t("app.title")}
        </Link>
        <Link href="/posts">{t("nav.posts")}</Link>
        {status === "signedIn" && <Link href="/todos">{t("nav.todos")}</Link>}
        <span className="ml-auto flex items-center gap-2 text-sm" data-testid="live-status" data-state={live}>
          <span aria-hidden className={`inline-block h-2 w-2 rounded-full ${LIVE_COLOURS[live]}`} />
          {t(`live.${live}`)}
        </span>
        <label className="text-sm">
          <span className="sr-only">{t("nav.language")}</span>
          <select
            value={locale}
            onChange={(event) => setLocale(event.target.value as Locale)}
            className="rounded border border-zinc-300 bg-transparent px-1 py-1 dark:border-zinc-600"
          >
            {LOCALES.map((code) => (
              <option key={code} value={code}>
                {code.toUpperCase()}
              </option>
            ))}
          </select>
        </label>
        <ThemeToggle />
        {status === "signedIn" ? (
          <>
            <Link href="/profile" className="text-sm" data-testid="current-user">
              {user?.email}
            </Link>
            <button
              type="button"
              className="rounded bg-zinc-800 px-3 py-1 text-sm text-white dark:bg-zinc-200 dark:text-zinc-900"
              onClick={async () => {
                await logout();
                router.push("/login");
              }}
            >
              {t("nav.logout")}
            </button>
          </>
        ) : (
          status === "signedOut" && (
            <>
              <Link href="/login">{t("nav.login")}</Link>
              <Link href="/signup">{t("nav.signup")}</Link>
            </>
          )
        )}
      </nav>
    </header>
  );
}
