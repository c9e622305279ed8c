"use client";
/**
 * Follows `/api/v1/events` while the page is open and writes what arrives into the query cache.
 * A new access token (log in, log out, refresh) restarts the stream with it, resuming from the
 * last event id so nothing published in between is lost.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";

import type { Session } from "@/lib/auth/session";

import { applyEvent } from "./cache";
import { followEvents, type StreamState } from "./sse";

/** `enabled`: false while the session is still being restored, so the stream opens once, with its token. */
export function useLiveUpdates(session: Session, enabled = true, url = "/api/v1/events"): StreamState {
  const queryClient = useQueryClient();
  const [state, setState] = useState<StreamState>("connecting");
  const [token, setToken] = useState(session.accessToken);
  const lastEventId = useRef<string | null>(null);

  useEffect(() => session.subscribe(setToken), [session]);

  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    void followEvents({
      url: new URL(url, window.location.origin).toString(),
      token: () => token,
      lastEventId: lastEventId.current,
      signal: controller.signal,
      onState: setState,
      onEvent: (event) => {
        lastEventId.current = event.id;
        applyEvent(queryClient, event);
      },
    });
    return () => controller.abort();
  }, [enabled, token, url, queryClient]);

  return state;
}
