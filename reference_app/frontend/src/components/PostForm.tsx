"use client";
/** Write a post: published now, or kept as a draft only its author sees. */
import { type FormEvent, useState } from "react";

import { useCreatePost } from "@/lib/api/hooks";
import { ApiError } from "@/lib/api/errors";
import { useI18n } from "@/lib/i18n/I18nProvider";

import { ErrorAlert, Field, buttonClass, inputClass } from "./forms";

export function PostForm() {
  const { t } = useI18n();
  const create = useCreatePost();
  const [key, setKey] = useState(0); // a new key empties the form after a save

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = {
      title: String(form.get("title")),
      content: String(form.get("content") ?? ""),
      published: form.get("published") === "on",
    };
    await create.mutateAsync(body).then(
      () => setKey((value) => value + 1),
      () => undefined,
    );
  }

  const invalid = create.error instanceof ApiError ? create.error.fields : [];
  return (
    <form key={key} onSubmit={onSubmit} className="space-y-3 rounded border border-zinc-200 p-4 dark:border-zinc-800" aria-label={t("posts.new")}>
      <h2 className="text-lg font-semibold">{t("posts.new")}</h2>
      <ErrorAlert error={create.error} />
      <Field label={t("posts.title")} name="title" required minLength={3} maxLength={200} invalid={invalid.includes("title")} />
      <label className="block space-y-1">
        <span className="block text-sm font-medium">{t("posts.content")}</span>
        <textarea name="content" rows={4} className={inputClass} />
      </label>
      <label className="flex items-center gap-2">
        <input type="checkbox" name="published" defaultChecked />
        {t("posts.publish")}
      </label>
      <button type="submit" className={buttonClass} disabled={create.isPending}>
        {t("posts.create")}
      </button>
    </form>
  );
}
