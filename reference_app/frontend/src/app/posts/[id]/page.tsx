"use client";
import Link from "next/link";
import { use } from "react";

import { ErrorAlert } from "@/components/forms";
import { PostEditor } from "@/components/PostEditor";
import { usePost } from "@/lib/api/hooks";
import { useAuth } from "@/lib/auth/AuthProvider";
import { useI18n } from "@/lib/i18n/I18nProvider";

export default function PostPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = use(params);
  const { t, locale } = useI18n();
  const post = usePost(id);
  const { user } = useAuth();
  return (
    <article className="space-y-3">
      <Link href="/posts" className="text-sm underline">
        {t("posts.back")}
      </Link>
      <ErrorAlert error={post.error} />
      {post.isPending && <p>{t("loading")}</p>}
      {post.data && (
        <>
          <h1 className="text-2xl font-semibold">{post.data.title}</h1>
          {!post.data.published && <p className="text-sm uppercase">{t("posts.draft")}</p>}
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            {new Date(post.data.created_at).toLocaleString(locale)}
          </p>
          <p className="whitespace-pre-wrap">{post.data.content}</p>
          {user?.id === post.data.author_id && <PostEditor key={post.data.updated_at} post={post.data} />}
        </>
      )}
    </article>
  );
}
