/** The profile form: the name alone, and a new password that needs the current one. */
import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { expect, test } from "vitest";

import { ProfileForm } from "@/components/ProfileForm";

import { apiError, json, makeUser } from "./fixtures";
import { renderWithApp } from "./render";

test("saves the name, then refuses a wrong current password without refreshing the session", async () => {
  const user = userEvent.setup();
  let refreshes = 0;
  const { sent } = renderWithApp(<ProfileForm />, (request) => {
    if (request.url.endsWith("/session/refresh")) {
      refreshes += 1;
      return json({ access_token: "access-1", expires_in: 1800 });
    }
    if (request.method === "PATCH") {
      const body = JSON.parse(request.body);
      if (body.current_password === "wrong") return apiError(403, "INVALID_CREDENTIALS");
      return json(makeUser({ full_name: body.full_name }));
    }
    return json(makeUser());
  });

  await user.type(await screen.findByLabelText("Full name (optional)"), "Ada Lovelace");
  await user.click(screen.getByRole("button", { name: "Save the profile" }));
  expect(await screen.findByRole("status")).toHaveTextContent("Saved.");
  expect(JSON.parse(sent.filter((request) => request.method === "PATCH")[0]!.body)).toEqual({ full_name: "Ada Lovelace" });

  await user.type(screen.getByLabelText("New password (optional)"), "a brand new passphrase");
  await user.type(screen.getByLabelText("Current password (for a new password)"), "wrong");
  await user.click(screen.getByRole("button", { name: "Save the profile" }));

  expect(await screen.findByRole("alert")).toHaveTextContent("Wrong email or password.");
  expect(JSON.parse(sent.filter((request) => request.method === "PATCH")[1]!.body)).toEqual({
    full_name: "Ada Lovelace",
    password: "a brand new passphrase",
    current_password: "wrong",
  });
  expect(refreshes).toBe(1); // the page load's, none for the 403
});
