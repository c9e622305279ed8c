/** The posts list (pages, drafts) and the author's editor, against a faked API. */
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, test, vi } from "vitest";

import { PostEditor } from "@/components/PostEditor";
import { PostList } from "@/components/PostList";

import { json, makePost, makeUser, type Sent } from "./fixtures";
import { renderWithApp } from "./render";

const navigation = vi.hoisted(() => ({ push: vi.fn(), search: "" }));
vi.mock("next/navigation", () => ({
  useRouter: () => navigation,
  useSearchParams: () => new URLSearchParams(navigation.search),
}));

afterEach(() => {
  navigation.push.mockClear();
  navigation.search = "";
});

function signedIn(handler: (request: Sent) => Response) {
  return (request: Sent) => {
    if (request.url.endsWith("/session/refresh")) return json({ access_token: "access-1", expires_in: 1800 });
    if (request.url.includes("/users/me")) return json(makeUser());
    return handler(request);
  };
}

describe("PostList", () => {
  test("reads the page from the URL, links to the next and previous pages, and asks for drafts", async () => {
    navigation.search = "?page=2";
    const posts = Array.from({ length: 10 }, (_, index) => makePost({ title: `Post ${index}` }));
    const { sent } = renderWithApp(
      <PostList />,
      signedIn(() => json({ items: posts, page: 2, page_size: 10, total: 25, has_next: true })),
    );

    const list = await screen.findByRole("list", { name: "Posts" });
    expect(within(list).getAllByRole("link")).toHaveLength(10);
    expect(screen.getByText("Page 2 of 3")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Next" })).toHaveAttribute("href", "/posts?page=3");
    expect(screen.getByRole("link", { name: "Previous" })).toHaveAttribute("href", "/posts?page=1");
    const first = new URL(sent.find((request) => request.url.includes("/api/v1/posts"))!.url);
    expect(Object.fromEntries(first.searchParams)).toEqual({ page: "2", page_size: "10", published_only: "true" });

    await userEvent.click(await screen.findByRole("checkbox", { name: "Include my drafts" }));
    await waitFor(() => expect(sent.some((request) => request.url.includes("published_only=false"))).toBe(true));
  });
});

describe("PostEditor", () => {
  test("saves an edit as a draft, then deletes the post after confirmation", async () => {
    const user = userEvent.setup();
    const post = makePost({ title: "Before", published: true });
    vi.spyOn(window, "confirm").mockReturnValue(true);
    const { sent } = renderWithApp(
      <PostEditor post={post} />,
      signedIn((request) => {
        if (request.method === "PATCH") return json({ ...post, ...JSON.parse(request.body) });
        if (request.method === "DELETE") return new Response(null, { status: 204 });
        return json({ items: [], page: 1, page_size: 10, total: 0, has_next: false });
      }),
    );

    await user.click(screen.getByRole("button", { name: "Edit" }));
    await user.clear(screen.getByLabelText("Title"));
    await user.type(screen.getByLabelText("Title"), "After");
    await user.click(screen.getByRole("checkbox", { name: "Published" }));
    await user.click(screen.getByRole("button", { name: "Save" }));

    await waitFor(() => expect(screen.getByRole("button", { name: "Edit" })).toBeInTheDocument());
    const patch = sent.find((request) => request.method === "PATCH")!;
    expect(patch.url).toContain(`/api/v1/posts/${post.id}`);
    expect(JSON.parse(patch.body)).toEqual({ title: "After", content: post.content, published: false });

    await user.click(screen.getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(navigation.push).toHaveBeenCalledWith("/posts"));
    expect(sent.some((request) => request.method === "DELETE" && request.url.endsWith(post.id))).toBe(true);
  });
});
