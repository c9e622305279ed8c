"""Todos are private: another user's todo is reported as not found, never as forbidden."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from reference_app.api.pagination import PageParams, paginate
from reference_app.changes import ChangeAction, ChangeEvent, ChangeNotifier
from reference_app.core.database import utcnow
from reference_app.core.errors import NotFoundError
from reference_app.todos.models import Todo
from reference_app.todos.schemas import TodoCreate, TodoRead, TodoSort, TodoUpdate
from reference_app.users.schemas import UserRead

_ORDERING: dict[TodoSort, tuple[Any, ...]] = {
    TodoSort.CREATED: (col(Todo.created_at).asc(),),
    TodoSort.CREATED_DESC: (col(Todo.created_at).desc(),),
    TodoSort.PRIORITY: (col(Todo.priority).asc(), col(Todo.created_at).desc()),
    TodoSort.PRIORITY_DESC: (col(Todo.priority).desc(), col(Todo.created_at).desc()),
}


def _todo_changed(todo: Todo, action: ChangeAction) -> ChangeEvent:
    data = TodoRead.model_validate(todo).model_dump(mode="json")
    return ChangeEvent(
        entity="todo",
        action=action,
        entity_id=todo.id,
        owner_id=todo.owner_id,
        public=False,
        data=None if action is ChangeAction.DELETED else data,
    )


async def create_todo(
    session: AsyncSession, data: TodoCreate, *, owner: UserRead, notifier: ChangeNotifier
) -> Todo:
    todo = Todo(**data.model_dump(), owner_id=owner.id)
    session.add(todo)
    await session.commit()
    await notifier.notify(_todo_changed(todo, ChangeAction.CREATED))
    return todo


async def list_todos(
    session: AsyncSession,
    params: PageParams,
    *,
    owner: UserRead,
    completed: bool | None,
    sort: TodoSort,
) -> tuple[list[Todo], int]:
    statement = select(Todo).where(col(Todo.owner_id) == owner.id)
    if completed is not None:
        statement = statement.where(col(Todo.completed) == completed)
    statement = statement.order_by(*_ORDERING[sort], col(Todo.id))
    return await paginate(session, statement, params)


async def get_todo(session: AsyncSession, todo_id: uuid.UUID, *, owner: UserRead) -> Todo:
    todo = await session.get(Todo, todo_id)
    if todo is None or todo.owner_id != owner.id:
        raise NotFoundError("todo", todo_id)
    return todo


async def update_todo(
    session: AsyncSession,
    todo_id: uuid.UUID,
    data: TodoUpdate,
    *,
    owner: UserRead,
    notifier: ChangeNotifier,
) -> Todo:
    todo = await get_todo(session, todo_id, owner=owner)
    changes = data.model_dump(exclude_unset=True)
    for field, value in changes.items():
        # Only the description may be cleared with null; null elsewhere means "no change".
        if value is not None or field == "description":
            setattr(todo, field, value)
    todo.updated_at = utcnow()
    await session.commit()
    await notifier.notify(_todo_changed(todo, ChangeAction.UPDATED))
    return todo


async def delete_todo(
    session: AsyncSession, todo_id: uuid.UUID, *, owner: UserRead, notifier: ChangeNotifier
) -> None:
    todo = await get_todo(session, todo_id, owner=owner)
    await session.delete(todo)
    await session.commit()
    await notifier.notify(_todo_changed(todo, ChangeAction.DELETED))
