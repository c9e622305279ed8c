"use client";
/**
 * Dark mode: follows the system until the user picks one, then keeps that choice. The class on
 * <html> is set before the first paint by THEME_SCRIPT (in the layout), so no flash of the
 * wrong theme; the toggle then keeps class and storage in step.
 */
import { useEffect, useSyncExternalStore } from "react";

import { useI18n } from "@/lib/i18n/I18nProvider";
import { readPreference, subscribePreferences, writePreference } from "@/lib/preferences";

export const THEME_STORAGE_KEY = "theme";

export const THEME_SCRIPT = `(() => {
  try {
    const stored = localStorage.getItem("${THEME_STORAGE_KEY}");
    const dark = stored ? stored === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
    document.documentElement.classList.toggle("dark", dark);
  } catch {}
})();`;

function systemPrefersDark(): boolean {
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ?? false;
}

function isDark(): boolean {
  const stored = readPreference(THEME_STORAGE_KEY);
  return stored ? stored === "dark" : systemPrefersDark();
}

function subscribe(onChange: () => void): () => void {
  const media = window.matchMedia?.("(prefers-color-scheme: dark)");
  media?.addEventListener("change", onChange);
  const unsubscribe = subscribePreferences(onChange);
  return () => {
    media?.removeEventListener("change", onChange);
    unsubscribe();
  };
}

export function ThemeToggle() {
  const { t } = useI18n();
  const dark = useSyncExternalStore(subscribe, isDark, () => false);

  useEffect(() => {
    document.documentElement.classList.toggle("dark", dark);
  }, [dark]);

  return (
    <button
      type="button"
      onClick={() => writePreference(THEME_STORAGE_KEY, dark ? "light" : "dark")}
      aria-pressed={dark}
      className="rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600"
    >
      {/* The name stays "Dark mode" and aria-pressed says whether it is on: a screen reader
          hears "Dark mode, toggle button, pressed". A name that changed with the state (or an
          aria-label unlike the visible text) would confuse voice control users (WCAG 2.5.3). */}
      <span aria-hidden="true">{dark ? "☾" : "☀"}</span> {t("theme.toggle")}
    </button>
  );
}
