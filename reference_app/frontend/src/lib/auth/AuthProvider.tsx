"use client";
/**
 * Who is signed in. On first load the page has no access token (it lives in memory), so it asks
 * `/session/refresh` once: a valid cookie signs the user back in without a form.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from "react";

import { type ApiClient, call } from "@/lib/api/client";
import { queryKeys } from "@/lib/api/queryKeys";
import { type User, userSchema } from "@/lib/api/schemas";

import type { Credentials, Session } from "./session";

export type AuthStatus = "loading" | "signedIn" | "signedOut";

interface Auth {
  status: AuthStatus;
  user: User | null;
  session: Session;
  api: ApiClient;
  login: (credentials: Credentials) => Promise<void>;
  signup: (credentials: Credentials & { full_name?: string }) => Promise<void>;
  logout: () => Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ session, api, children }: { session: Session; api: ApiClient; children: ReactNode }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<AuthStatus>(session.accessToken ? "signedIn" : "loading");

  useEffect(() => {
    const unsubscribe = session.subscribe((token) => setStatus(token ? "signedIn" : "signedOut"));
    if (!session.accessToken) {
      void session.refresh().then((token) => setStatus(token ? "signedIn" : "signedOut"));
    }
    return unsubscribe;
  }, [session]);

  const me = useQuery({
    queryKey: queryKeys.me,
    queryFn: () => call(api.GET("/api/v1/users/me"), userSchema),
    enabled: status === "signedIn",
  });

  const value = useMemo<Auth>(
    () => ({
      status,
      user: status === "signedIn" ? (me.data ?? null) : null,
      session,
      api,
      login: async (credentials) => {
        await session.login(credentials);
      },
      signup: async (credentials) => {
        const { user } = await session.signup(credentials);
        if (user) queryClient.setQueryData(queryKeys.me, user);
      },
      logout: async () => {
        await session.logout();
        queryClient.clear(); // nothing of this user's stays in memory
      },
    }),
    [status, me.data, session, api, queryClient],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const context = useContext(AuthContext);
  if (!context) throw new Error("useAuth outside AuthProvider");
  return context;
}
