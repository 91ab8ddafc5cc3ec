"""Plain values that describe a statement, for pages, exports and PDFs alike."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class EntryLine:
    id: int
    day: dt.date
    direction: str  # "in" | "out"
    category: str  # a code from rules.CATEGORIES
    category_title: str  # the category in the reader's language
    counterparty: str
    description: str
    amount: int  # fen, always positive
    authority: str = ""  # e.g. "R-53: resolution 'X' (vote 3, item i1)" or the emergency case
    reverses: int | None = None


@dataclass(frozen=True)
class StatementView:
    estate: str
    account_kind: str
    account_title: str
    period_start: dt.date
    period_end: dt.date
    opening_balance: int
    closing_balance: int
    entries: list[EntryLine] = field(default_factory=list)
    totals: dict[str, dict[str, int]] = field(default_factory=dict)  # {"in": {category: fen}, "out": {...}}
    published: bool = False

    @property
    def total_in(self) -> int:
        return sum(self.totals.get("in", {}).values())

    @property
    def total_out(self) -> int:
        return sum(self.totals.get("out", {}).values())
