"use client";
/**
 * The language: the one chosen on the page (kept in localStorage, a preference, not a secret),
 * else the browser's first language we have, else English. `<html lang>` follows it for screen
 * readers.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useSyncExternalStore } from "react";

import { isKnownErrorCode } from "@/lib/api/errors";
import { readPreference, subscribePreferences, writePreference } from "@/lib/preferences";

import { LOCALES, type Locale, type MessageKey, translate } from "./messages";

const STORAGE_KEY = "locale";

interface I18n {
  locale: Locale;
  setLocale: (locale: Locale) => void;
  t: (key: MessageKey, values?: Record<string, string | number>) => string;
  /** The human message for an error code of the app's error shape. */
  errorMessage: (code: string) => string;
}

const I18nContext = createContext<I18n | null>(null);

function isLocale(value: string | null | undefined): value is Locale {
  return (LOCALES as readonly string[]).includes(value ?? "");
}

/** The chosen language, else `fallback`, else the browser's first language we have, else English. */
function preferredLocale(fallback?: Locale): Locale {
  const stored = readPreference(STORAGE_KEY);
  if (isLocale(stored)) return stored;
  if (fallback) return fallback;
  const browser = window.navigator.languages.map((language) => language.slice(0, 2)).find(isLocale);
  return browser ?? "en";
}

/** `fallbackLocale` stands in for the browser's languages until the user picks one (tests use it). */
export function I18nProvider({ children, fallbackLocale }: { children: ReactNode; fallbackLocale?: Locale }) {
  const snapshot = useCallback(() => preferredLocale(fallbackLocale), [fallbackLocale]);
  const locale = useSyncExternalStore(subscribePreferences, snapshot, () => fallbackLocale ?? "en");

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const value = useMemo<I18n>(
    () => ({
      locale,
      setLocale: (next) => writePreference(STORAGE_KEY, next),
      t: (key, values) => translate(locale, key, values),
      errorMessage: (code) => translate(locale, isKnownErrorCode(code) ? `error.${code}` : "error.UNKNOWN"),
    }),
    [locale],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const context = useContext(I18nContext);
  if (!context) throw new Error("useI18n outside I18nProvider");
  return context;
}
