"use client";
/** Published posts, newest first, a page at a time (the page number is in the URL). */
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useState } from "react";

import { POSTS_PAGE_SIZE, usePosts } from "@/lib/api/hooks";
import { useAuth } from "@/lib/auth/AuthProvider";
import { useI18n } from "@/lib/i18n/I18nProvider";

import { ErrorAlert } from "./forms";
import { PostForm } from "./PostForm";

export function PostList() {
  const { t } = useI18n();
  const { status } = useAuth();
  const page = Math.max(1, Number(useSearchParams().get("page")) || 1);
  const [drafts, setDrafts] = useState(false);
  const posts = usePosts(page, drafts && status === "signedIn");
  const pages = Math.max(1, Math.ceil((posts.data?.total ?? 0) / POSTS_PAGE_SIZE));

  return (
    <section className="space-y-4">
      <h1 className="text-2xl font-semibold">{t("posts.heading")}</h1>
      {status === "signedIn" && (
        <>
          <PostForm />
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={drafts} onChange={(event) => setDrafts(event.target.checked)} />
            {t("posts.drafts")}
          </label>
        </>
      )}
      <ErrorAlert error={posts.error} />
      {posts.isPending ? (
        <p>{t("loading")}</p>
      ) : posts.data?.items.length === 0 ? (
        <p>{t("posts.empty")}</p>
      ) : (
        <ul className="space-y-3" aria-label={t("posts.heading")}>
          {posts.data?.items.map((post) => (
            <li key={post.id} data-testid="post">
              <Link href={`/posts/${post.id}`} className="text-lg font-medium underline">
                {post.title}
              </Link>
              {!post.published && <span className="ml-2 text-xs uppercase">{t("posts.draft")}</span>}
              <p className="line-clamp-2 text-sm text-zinc-600 dark:text-zinc-400">{post.content}</p>
            </li>
          ))}
        </ul>
      )}
      <nav className="flex items-center gap-4" aria-label="Pagination">
        {page > 1 && <Link href={`/posts?page=${page - 1}`}>{t("posts.previous")}</Link>}
        <span className="text-sm">{t("posts.page", { page, pages })}</span>
        {posts.data?.has_next && <Link href={`/posts?page=${page + 1}`}>{t("posts.next")}</Link>}
      </nav>
    </section>
  );
}
