"""Lab 10, hidden tests: more planted bugs, each breaking a rule the README states."""

from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from labsupport.mutation import Mutant, SuiteRun

from reference_app.api.pagination import Page, PageParams, build_page
from reference_app.changes import ChangeAction
from reference_app.core.config import API_PREFIX
from reference_app.core.errors import NotFoundError
from reference_app.todos import routes, service
from reference_app.todos.models import Todo
from reference_app.todos.schemas import TodoSort


def _sort_priority_upwards(monkeypatch: pytest.MonkeyPatch, _app: FastAPI) -> None:
    ascending = service._ORDERING[TodoSort.PRIORITY]
    monkeypatch.setitem(service._ORDERING, TodoSort.PRIORITY_DESC, ascending)


def _delete_any_todo(monkeypatch: pytest.MonkeyPatch, _app: FastAPI) -> None:
    """Deleting looks the todo up by id alone; reading and changing still check the owner."""

    async def delete_todo(session: Any, todo_id: Any, *, owner: Any, notifier: Any) -> None:
        todo: Todo | None = await session.get(Todo, todo_id)
        if todo is None:
            raise NotFoundError("todo", todo_id)
        await session.delete(todo)
        await session.commit()
        await notifier.notify(service._todo_changed(todo, ChangeAction.DELETED))

    monkeypatch.setattr(service, "delete_todo", delete_todo)


def _create_with_status_200(_monkeypatch: pytest.MonkeyPatch, app: FastAPI) -> None:
    """A variant of ``POST /todos`` that lost its ``status_code=201``, answering first."""
    [route] = [
        r
        for r in routes.router.routes
        if isinstance(r, APIRoute) and r.path == "/todos" and r.methods == {"POST"}
    ]
    variant = APIRouter(prefix=API_PREFIX)
    variant.add_api_route(
        route.path,
        route.endpoint,
        methods=["POST"],
        response_model=route.response_model,
        dependencies=route.dependencies,
    )
    app.include_router(variant)
    app.router.routes.insert(0, app.router.routes.pop())


def _has_next_on_the_last_page(monkeypatch: pytest.MonkeyPatch, _app: FastAPI) -> None:
    def off_by_one(items: list[Any], total: int, params: PageParams) -> Page[Any]:
        page = build_page(items, total, params)
        return page.model_copy(update={"has_next": params.offset + len(items) <= total})

    monkeypatch.setattr(routes, "build_page", off_by_one)


MUTANTS = {
    "priority_sorted_upwards": Mutant(
        "sort=-priority lists the lowest priority first", _sort_priority_upwards
    ),
    "todos_of_others_deletable": Mutant(
        "another user's todo can be deleted (reading it is still refused)", _delete_any_todo
    ),
    "create_answers_200": Mutant("POST /todos answers 200 instead of 201", _create_with_status_200),
    "has_next_on_last_page": Mutant(
        "has_next is true on the last page of the list", _has_next_on_the_last_page
    ),
    "body_limit_too_small": Mutant(
        "the request body limit is set so low that a long description is refused with 413",
        settings={"max_request_body_bytes": 256},
    ),
}


def test_your_tests_catch_priority_sorted_upwards(suite: SuiteRun) -> None:
    """Add todos of different priorities; sort=-priority must list the highest first."""
    suite.assert_catches("priority_sorted_upwards", MUTANTS["priority_sorted_upwards"])


def test_your_tests_catch_deleting_another_user_s_todo(suite: SuiteRun) -> None:
    """DELETE of another user's todo must be 404, and the todo must still be there for its
    owner: test deleting on its own, not only reading."""
    suite.assert_catches("todos_of_others_deletable", MUTANTS["todos_of_others_deletable"])


def test_your_tests_catch_a_create_without_201(suite: SuiteRun) -> None:
    """POST /api/v1/todos must answer 201 Created: assert the status code, not only the body."""
    suite.assert_catches("create_answers_200", MUTANTS["create_answers_200"])


def test_your_tests_catch_has_next_on_the_last_page(suite: SuiteRun) -> None:
    """With 3 todos and page_size=2, page 1 has has_next true and page 2 has it false."""
    suite.assert_catches("has_next_on_last_page", MUTANTS["has_next_on_last_page"])


def test_your_tests_catch_a_too_small_body_limit(suite: SuiteRun) -> None:
    """A description of 500 characters, the maximum, must be accepted (201)."""
    suite.assert_catches("body_limit_too_small", MUTANTS["body_limit_too_small"])
