"use client";
/** Everything a page needs from context: the query cache, the session, the API client, the language. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useEffect, useState } from "react";

import { createApiClient } from "@/lib/api/client";
import { ApiError } from "@/lib/api/errors";
import { AuthProvider } from "@/lib/auth/AuthProvider";
import { Session } from "@/lib/auth/session";
import { I18nProvider } from "@/lib/i18n/I18nProvider";

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // A 4xx will not change by asking again; a network error or a 5xx might.
        retry: (failures, error) => failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      },
    },
  });
}

export function Providers({ children }: { children: ReactNode }) {
  const [services] = useState(() => {
    const origin = typeof window === "undefined" ? "http://localhost" : window.location.origin;
    const session = new Session({ baseUrl: origin });
    return { queryClient: makeQueryClient(), session, api: createApiClient(session, origin) };
  });
  useEffect(() => {
    // Until React has hydrated, a form submits the browser's way (a GET to the page itself);
    // end-to-end tests wait for this mark before they type.
    document.documentElement.dataset.hydrated = "true";
  }, []);
  return (
    <QueryClientProvider client={services.queryClient}>
      <I18nProvider>
        <AuthProvider session={services.session} api={services.api}>
          {children}
        </AuthProvider>
      </I18nProvider>
    </QueryClientProvider>
  );
}
