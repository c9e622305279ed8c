"""Offset pagination shared by every list endpoint."""

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = (2**63 - 1) // MAX_PAGE_SIZE
"""Page numbers stop here, so the offset, ``(page - 1) * page_size``, always fits the signed
64-bit integer PostgreSQL and SQLite take for ``OFFSET``. A larger one failed in the database
driver (a 500); bounding the query parameter makes it a 422 and publishes the bound in OpenAPI."""

ItemT = TypeVar("ItemT")


class PageParams(BaseModel):
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


async def page_params(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number.")] = 1,
    page_size: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page.")
    ] = DEFAULT_PAGE_SIZE,
) -> PageParams:
    return PageParams(page=page, page_size=page_size)


PageParamsDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[ItemT]):
    """One page of results and what a client needs to fetch the next."""

    items: list[ItemT]
    page: int
    page_size: int
    total: int
    has_next: bool


async def paginate(
    session: AsyncSession, statement: Select[Any], params: PageParams
) -> tuple[list[Any], int]:
    """Run ``statement`` for one page; return the rows and the total count across all pages."""
    count_statement = select(func.count()).select_from(statement.order_by(None).subquery())
    total = (await session.execute(count_statement)).scalar_one()
    rows = await session.scalars(statement.limit(params.page_size).offset(params.offset))
    return list(rows), total


def build_page(items: list[ItemT], total: int, params: PageParams) -> Page[ItemT]:
    return Page[ItemT](
        items=items,
        page=params.page,
        page_size=params.page_size,
        total=total,
        has_next=params.offset + len(items) < total,
    )
