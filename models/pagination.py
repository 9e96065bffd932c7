"""Every list is paginated: fixed-size pages, fetched with one extra row to tell if more follow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

PER_PAGE = 20
MAX_PAGE = 10_000
T = TypeVar("T", bound=Model)


@dataclass
class Page(Generic[T]):
    items: list[T]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


async def paginate(query: QuerySet[T], number: int, per_page: int = PER_PAGE) -> Page[T]:
    number = max(1, min(number, MAX_PAGE))
    rows = await query.offset((number - 1) * per_page).limit(per_page + 1)
    return Page(items=rows[:per_page], number=number, has_next=len(rows) > per_page)
