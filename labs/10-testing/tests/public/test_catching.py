"""Lab 10, public tests: your tests must pass on the real app and fail on each of these bugs.

Each mutant is the real app with one bug planted by ``monkeypatch`` (undone after the test):
the service functions the routes call are swapped for a slightly wrong version.
"""

from typing import Any

import pytest
from fastapi import FastAPI
from labsupport.mutation import Mutant, SuiteRun

from reference_app.core.errors import NotFoundError
from reference_app.todos import service
from reference_app.todos.models import Todo
from reference_app.todos.schemas import TodoUpdate


def _open_every_todo(monkeypatch: pytest.MonkeyPatch, _app: FastAPI) -> None:
    """The owner check is gone from the lookup that reading, changing and deleting go through."""

    async def get_todo(session: Any, todo_id: Any, *, owner: Any) -> Todo:
        todo: Todo | None = await session.get(Todo, todo_id)
        if todo is None:
            raise NotFoundError("todo", todo_id)
        return todo

    monkeypatch.setattr(service, "get_todo", get_todo)


def _ignore_the_completed_filter(monkeypatch: pytest.MonkeyPatch, _app: FastAPI) -> None:
    real = service.list_todos

    async def list_todos(session: Any, params: Any, **options: Any) -> Any:
        return await real(session, params, **{**options, "completed": None})

    monkeypatch.setattr(service, "list_todos", list_todos)


def _update_every_field(monkeypatch: pytest.MonkeyPatch, _app: FastAPI) -> None:
    """The classic PATCH bug: the update is applied as if every field had been sent."""
    real = service.update_todo

    async def update_todo(session: Any, todo_id: Any, data: TodoUpdate, **options: Any) -> Any:
        every_field = TodoUpdate.model_validate(data.model_dump())
        return await real(session, todo_id, every_field, **options)

    monkeypatch.setattr(service, "update_todo", update_todo)


MUTANTS = {
    "todos_of_others_are_open": Mutant(
        "another user's todo can be read, changed and deleted", _open_every_todo
    ),
    "completed_filter_ignored": Mutant(
        "GET /todos ignores completed=true and completed=false", _ignore_the_completed_filter
    ),
    "patch_clears_unsent_fields": Mutant(
        "PATCH clears the description when it was not sent", _update_every_field
    ),
}


def test_your_tests_pass_on_the_real_app(suite: SuiteRun) -> None:
    """On the real app every test of yours must pass, and at least one must take the `client`
    fixture: a test that fails on a correct app proves nothing about a broken one."""
    suite.assert_passes_on_the_real_app()


def test_your_tests_catch_todos_of_others_being_open(suite: SuiteRun) -> None:
    """Sign up two users; the second must get 404 NOT_FOUND for the first one's todo (GET,
    PATCH and DELETE /api/v1/todos/{id})."""
    suite.assert_catches("todos_of_others_are_open", MUTANTS["todos_of_others_are_open"])


def test_your_tests_catch_an_ignored_completed_filter(suite: SuiteRun) -> None:
    """Add one done and one open todo; completed=true must list only the done one, and
    completed=false only the open one."""
    suite.assert_catches("completed_filter_ignored", MUTANTS["completed_filter_ignored"])


def test_your_tests_catch_a_patch_that_clears_fields(suite: SuiteRun) -> None:
    """Add a todo with a description, PATCH only {"completed": true}, then check that the
    description is still there."""
    suite.assert_catches("patch_clears_unsent_fields", MUTANTS["patch_clears_unsent_fields"])
