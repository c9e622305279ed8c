/** The forms as a user meets them: labels, keyboard, human error messages, and what is sent. */
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, test, vi } from "vitest";

import { AuthForm } from "@/components/AuthForm";
import { TodoList } from "@/components/TodoList";
import type { Todo } from "@/lib/api/schemas";

import { apiError, json, makeTodo, makeUser } from "./fixtures";
import { renderWithApp } from "./render";

const router = vi.hoisted(() => ({ push: vi.fn() }));
vi.mock("next/navigation", () => ({ useRouter: () => router }));

beforeEach(() => router.push.mockClear());

describe("AuthForm", () => {
  test("logs in with the keyboard alone and goes to the todos", async () => {
    const user = userEvent.setup();
    const { sent, session } = renderWithApp(<AuthForm mode="login" />, (request) => {
      if (request.url.endsWith("/session/refresh")) return apiError(401, "NOT_AUTHENTICATED");
      if (request.url.endsWith("/session/login")) return json({ access_token: "access-1", expires_in: 1800 });
      return json(makeUser());
    });

    await user.click(screen.getByLabelText("Email"));
    await user.keyboard("ada@example.com");
    await user.tab();
    await user.keyboard("correct horse battery{Enter}");

    await waitFor(() => expect(router.push).toHaveBeenCalledWith("/todos"));
    expect(session.accessToken).toBe("access-1");
    const loginRequest = sent.find((request) => request.url.endsWith("/session/login"));
    expect(JSON.parse(loginRequest!.body)).toEqual({ email: "ada@example.com", password: "correct horse battery" });
  });

  test("shows the app's error code as a sentence, announced, in the chosen language", async () => {
    const user = userEvent.setup();
    renderWithApp(
      <AuthForm mode="signup" />,
      (request) => (request.url.endsWith("/session/signup") ? apiError(409, "EMAIL_ALREADY_REGISTERED", "raw server text") : apiError(401, "NOT_AUTHENTICATED")),
      "fr",
    );

    await user.type(screen.getByLabelText("Adresse e-mail"), "ada@example.com");
    await user.type(screen.getByLabelText("Mot de passe"), "correct horse battery");
    await user.click(screen.getByRole("button", { name: "Créer le compte" }));

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Un compte existe déjà pour cette adresse.");
    expect(alert).not.toHaveTextContent("raw server text");
    expect(router.push).not.toHaveBeenCalled();
  });

  test("marks the fields a validation error names", async () => {
    const user = userEvent.setup();
    const invalid = {
      error: {
        code: "VALIDATION_ERROR",
        message: "The request is not valid",
        details: [{ loc: ["body", "password"], message: "too common", type: "common_password" }],
        request_id: null,
      },
    };
    renderWithApp(<AuthForm mode="signup" />, (request) =>
      request.url.endsWith("/session/signup") ? json(invalid, 422) : apiError(401, "NOT_AUTHENTICATED"),
    );

    await user.type(screen.getByLabelText("Email"), "ada@example.com");
    await user.type(screen.getByLabelText("Password"), "password");
    await user.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("Some fields are not valid.");
    expect(screen.getByLabelText("Password")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("Email")).toHaveAttribute("aria-invalid", "false");
    expect(screen.getByLabelText("Password")).toHaveAccessibleDescription("At least 8 characters, not a common password.");
  });
});

describe("TodoList", () => {
  test("adds a todo with its priority and changes the priority of another", async () => {
    const user = userEvent.setup();
    const existing = makeTodo({ title: "Existing", priority: 1 });
    const todos: Todo[] = [existing];
    const { sent } = renderWithApp(<TodoList />, (request) => {
      if (request.url.endsWith("/session/refresh")) return json({ access_token: "access-1", expires_in: 1800 });
      if (request.url.includes("/users/me")) return json(makeUser());
      if (request.method === "POST" && request.url.endsWith("/api/v1/todos")) {
        const created = makeTodo(JSON.parse(request.body));
        todos.unshift(created);
        return json(created, 201);
      }
      if (request.method === "PATCH") return json({ ...existing, ...JSON.parse(request.body) });
      return json({ items: todos, page: 1, page_size: 100, total: todos.length, has_next: false });
    });

    expect(await screen.findByText("Existing")).toBeInTheDocument();
    await user.type(screen.getByLabelText("Title"), "Ship it");
    await user.selectOptions(screen.getByRole("combobox", { name: "Priority" }), "5");
    await user.click(screen.getByRole("button", { name: "Add" }));

    expect(await screen.findByText("Ship it")).toBeInTheDocument();
    expect(screen.getByLabelText("Title")).toHaveValue("");
    const created = sent.find((request) => request.method === "POST" && request.url.endsWith("/api/v1/todos"));
    expect(JSON.parse(created!.body)).toEqual({ title: "Ship it", priority: 5 });
    expect(created!.headers.get("Authorization")).toBe("Bearer access-1");

    await user.selectOptions(screen.getByRole("combobox", { name: "Priority of Existing" }), "3");
    await waitFor(() => expect(screen.getByRole("combobox", { name: "Priority of Existing" })).toHaveValue("3"));
    const patch = sent.find((request) => request.method === "PATCH");
    expect(patch?.url).toContain(`/api/v1/todos/${existing.id}`);
    expect(JSON.parse(patch!.body)).toEqual({ priority: 3 });
  });
});
