"""Workbooks already made, kept while the figures they hold are current.

A workbook is written anew from cached rows at some microseconds a cell (a national year of
the distance share: seconds); the same download asked for again — the open data workbooks,
a page's link — is served from here. The key names the stored results a workbook was made
from (:func:`naravard.storage.indicator_repo.results_version`), so results stored or decided
again make a new one; the oldest are let go beyond a budget of bytes. Rendered PDFs (region
profiles, the national report) are kept here too (:func:`kept_pdf`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from naravard.funding.deadlines import local_time

#: Bytes of workbooks kept at most (a national indicator of one variant is 1–4 MB).
BUDGET = 64 * 1024**2


class WorkbookCache:
    """Made workbooks by key, the least recently used let go beyond ``budget`` bytes; a
    workbook larger than a quarter of the budget is not kept."""

    def __init__(self, budget: int = BUDGET) -> None:
        self.budget = budget
        self._books: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], bytes]) -> bytes:
        """The workbook kept under ``key``, or the one ``make`` writes (then kept)."""
        with self._lock:
            book = self._books.get(key)
            if book is not None:
                self._books.move_to_end(key)
                return book
        book = make()  # outside the lock: two requests may both write it, alike
        if len(book) <= self.budget // 4:
            with self._lock:
                if key not in self._books:
                    self._books[key] = book
                    self._size += len(book)
                while self._size > self.budget:
                    _, old = self._books.popitem(last=False)
                    self._size -= len(old)
        return book

    def clear(self) -> None:
        """Forget every kept workbook."""
        with self._lock:
            self._books.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._books)


#: The web application's workbooks.
WORKBOOKS = WorkbookCache()


def kept_pdf(name: str, render: Callable[[dt.datetime, str], str],
             now: dt.datetime | None = None) -> bytes:
    """A document rendered to PDF once and kept in :data:`WORKBOOKS`: ``render(when,
    created)`` gives its HTML as of ``when`` with ``created`` printed as the time it was made.
    The key is ``name`` and the document without that time, so anything else changed in it
    makes a new PDF, and a kept one gives the time it was first made."""
    from naravard.pdf import html_to_pdf

    when = local_time(now or dt.datetime.now(dt.UTC))
    key = (name, hashlib.sha256(render(when, "").encode()).hexdigest())
    return WORKBOOKS.get(
        key, lambda: html_to_pdf(render(when, when.strftime("%Y-%m-%d %H:%M"))))
