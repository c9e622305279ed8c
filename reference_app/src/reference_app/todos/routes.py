"""HTTP routes for todos. Every route acts on the signed-in user's own todos."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from reference_app.api.deps import NotifierDep, SessionDep
from reference_app.api.pagination import Page, PageParamsDep, build_page
from reference_app.auth.dependencies import CurrentUser
from reference_app.core.errors import ERROR_RESPONSES
from reference_app.todos import service
from reference_app.todos.models import Todo
from reference_app.todos.schemas import TodoCreate, TodoRead, TodoSort, TodoUpdate

router = APIRouter(prefix="/todos", tags=["todos"], responses=ERROR_RESPONSES)


@router.post("", response_model=TodoRead, status_code=status.HTTP_201_CREATED, summary="Add a todo")
async def create_todo(
    data: TodoCreate, session: SessionDep, user: CurrentUser, notifier: NotifierDep
) -> Todo:
    return await service.create_todo(session, data, owner=user, notifier=notifier)


@router.get("", response_model=Page[TodoRead], summary="List your todos")
async def list_todos(
    session: SessionDep,
    user: CurrentUser,
    params: PageParamsDep,
    completed: Annotated[
        bool | None, Query(description="Only done (true) or open (false).")
    ] = None,
    sort: Annotated[TodoSort, Query(description="Order of the list.")] = TodoSort.CREATED_DESC,
) -> Page[TodoRead]:
    todos, total = await service.list_todos(
        session, params, owner=user, completed=completed, sort=sort
    )
    return build_page([TodoRead.model_validate(todo) for todo in todos], total, params)


@router.get("/{todo_id}", response_model=TodoRead, summary="Read one of your todos")
async def read_todo(todo_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Todo:
    return await service.get_todo(session, todo_id, owner=user)


@router.patch("/{todo_id}", response_model=TodoRead, summary="Change one of your todos")
async def update_todo(
    todo_id: uuid.UUID,
    data: TodoUpdate,
    session: SessionDep,
    user: CurrentUser,
    notifier: NotifierDep,
) -> Todo:
    return await service.update_todo(session, todo_id, data, owner=user, notifier=notifier)


@router.delete(
    "/{todo_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete one of your todos"
)
async def delete_todo(
    todo_id: uuid.UUID, session: SessionDep, user: CurrentUser, notifier: NotifierDep
) -> None:
    await service.delete_todo(session, todo_id, owner=user, notifier=notifier)
