"use client";
/** The author's controls on their own post: edit it (title, content, published or draft), delete it. */
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";

import { ApiError } from "@/lib/api/errors";
import { useDeletePost, useUpdatePost } from "@/lib/api/hooks";
import type { Post } from "@/lib/api/schemas";
import { useI18n } from "@/lib/i18n/I18nProvider";

import { ErrorAlert, Field, buttonClass, inputClass } from "./forms";

export function PostEditor({ post }: { post: Post }) {
  const { t } = useI18n();
  const router = useRouter();
  const update = useUpdatePost();
  const remove = useDeletePost();
  const [editing, setEditing] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    await update
      .mutateAsync({
        id: post.id,
        title: String(form.get("title")),
        content: String(form.get("content") ?? ""),
        published: form.get("published") === "on",
      })
      .then(
        () => setEditing(false),
        () => undefined, // shown by ErrorAlert
      );
  }

  async function onDelete() {
    if (!window.confirm(t("posts.confirmDelete"))) return;
    await remove.mutateAsync(post.id).then(
      () => router.push("/posts"),
      () => undefined,
    );
  }

  const invalid = update.error instanceof ApiError ? update.error.fields : [];
  if (!editing)
    return (
      <div className="flex gap-3">
        <ErrorAlert error={remove.error} />
        <button type="button" className={buttonClass} onClick={() => setEditing(true)}>
          {t("posts.edit")}
        </button>
        <button type="button" className="text-red-700 underline dark:text-red-400" onClick={onDelete}>
          {t("posts.delete")}
        </button>
      </div>
    );
  return (
    <form onSubmit={onSubmit} className="space-y-3" aria-label={t("posts.edit")}>
      <ErrorAlert error={update.error} />
      <Field label={t("posts.title")} name="title" defaultValue={post.title} required minLength={3} maxLength={200} invalid={invalid.includes("title")} />
      <label className="block space-y-1">
        <span className="block text-sm font-medium">{t("posts.content")}</span>
        <textarea name="content" rows={6} className={inputClass} defaultValue={post.content} />
      </label>
      <label className="flex items-center gap-2">
        <input type="checkbox" name="published" defaultChecked={post.published} />
        {t("posts.published")}
      </label>
      <div className="flex gap-3">
        <button type="submit" className={buttonClass} disabled={update.isPending}>
          {t("posts.create")}
        </button>
        <button type="button" className="underline" onClick={() => setEditing(false)}>
          {t("posts.cancel")}
        </button>
      </div>
    </form>
  );
}
