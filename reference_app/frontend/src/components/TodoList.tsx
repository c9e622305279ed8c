"use client";
/** The signed-in user's todos: add one with a priority, tick it off, change its priority, delete it. */
import { type FormEvent, useState } from "react";

import { useCreateTodo, useDeleteTodo, useTodos, useUpdateTodo } from "@/lib/api/hooks";
import { useI18n } from "@/lib/i18n/I18nProvider";

import { ErrorAlert, buttonClass, inputClass } from "./forms";

const PRIORITIES = [0, 1, 2, 3, 4, 5] as const;

export function TodoList() {
  const { t } = useI18n();
  const todos = useTodos();
  const create = useCreateTodo();
  const update = useUpdateTodo();
  const remove = useDeleteTodo();
  const [title, setTitle] = useState("");
  const [priority, setPriority] = useState(0);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await create.mutateAsync({ title, priority }).then(
      () => {
        setTitle("");
        setPriority(0);
      },
      () => undefined, // shown by ErrorAlert from create.error
    );
  }

  return (
    <section className="space-y-4">
      <h1 className="text-2xl font-semibold">{t("todos.heading")}</h1>
      <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-2" aria-label={t("todos.new")}>
        <label className="flex-1">
          <span className="block text-sm font-medium">{t("todos.title")}</span>
          <input className={inputClass} value={title} onChange={(event) => setTitle(event.target.value)} required maxLength={200} />
        </label>
        <label>
          <span className="block text-sm font-medium">{t("todos.priority")}</span>
          <select className={inputClass} value={priority} onChange={(event) => setPriority(Number(event.target.value))}>
            {PRIORITIES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className={buttonClass} disabled={create.isPending}>
          {t("todos.add")}
        </button>
      </form>
      <ErrorAlert error={create.error ?? update.error ?? remove.error ?? todos.error} />
      {todos.isPending ? (
        <p>{t("loading")}</p>
      ) : todos.data?.items.length === 0 ? (
        <p>{t("todos.empty")}</p>
      ) : (
        <ul className="divide-y divide-zinc-200 dark:divide-zinc-800" aria-label={t("todos.heading")}>
          {todos.data?.items.map((todo) => (
            <li key={todo.id} className="flex items-center gap-3 py-2" data-testid="todo">
              <label className="flex flex-1 items-center gap-2">
                <input
                  type="checkbox"
                  checked={todo.completed}
                  onChange={(event) => update.mutate({ id: todo.id, completed: event.target.checked })}
                />
                <span className={todo.completed ? "line-through opacity-60" : ""}>{todo.title}</span>
                <span className="sr-only">{t("todos.done")}</span>
              </label>
              <label>
                <span className="sr-only">{t("todos.priorityOf", { title: todo.title })}</span>
                <select
                  className="rounded border border-zinc-300 bg-transparent px-1 dark:border-zinc-600"
                  value={todo.priority}
                  onChange={(event) => update.mutate({ id: todo.id, priority: Number(event.target.value) })}
                >
                  {PRIORITIES.map((value) => (
                    <option key={value} value={value}>
                      P{value}
                    </option>
                  ))}
                </select>
              </label>
              <button type="button" className="text-sm text-red-700 underline dark:text-red-400" onClick={() => remove.mutate(todo.id)}>
                {t("todos.delete")}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
