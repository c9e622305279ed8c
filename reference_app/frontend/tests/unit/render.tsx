/** Render a component inside the app's providers, with the network replaced by `handler`. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";

import { createApiClient } from "@/lib/api/client";
import { AuthProvider } from "@/lib/auth/AuthProvider";
import { Session } from "@/lib/auth/session";
import { I18nProvider } from "@/lib/i18n/I18nProvider";
import type { Locale } from "@/lib/i18n/messages";

import { type Sent, recordingFetch } from "./fixtures";

export function renderWithApp(ui: ReactElement, handler: (request: Sent) => Response | Promise<Response>, locale: Locale = "en") {
  const network = recordingFetch(handler);
  const origin = "http://frontend.test";
  const session = new Session({ baseUrl: origin, fetch: network.fetch });
  const api = createApiClient(session, origin, network.fetch);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const result = render(
    <QueryClientProvider client={queryClient}>
      <I18nProvider fallbackLocale={locale}>
        <AuthProvider session={session} api={api}>
          {ui}
        </AuthProvider>
      </I18nProvider>
    </QueryClientProvider>,
  );
  return { ...result, sent: network.sent, session, queryClient };
}
