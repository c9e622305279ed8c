/**
 * Preferences kept in localStorage (the language, the theme) as external stores for React's
 * useSyncExternalStore: every component reads the current value, the server renders the
 * default, and a change in another tab (the `storage` event) reaches this one too.
 */
const CHANGE_EVENT = "preference-change";

export function readPreference(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null; // storage disabled (private mode, a sandboxed frame)
  }
}

export function writePreference(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // Not kept across reloads, but still applied to this page below.
  }
  window.dispatchEvent(new Event(CHANGE_EVENT));
}

export function subscribePreferences(onChange: () => void): () => void {
  window.addEventListener("storage", onChange);
  window.addEventListener(CHANGE_EVENT, onChange);
  return () => {
    window.removeEventListener("storage", onChange);
    window.removeEventListener(CHANGE_EVENT, onChange);
  };
}
