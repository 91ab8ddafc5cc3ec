"""click's progress bar for commands that do long work, fed by the callback a job reports to.

A job's work reports ``progress(done, total, step)`` (``jobs.registry.Progress``); a command passes
a :class:`ProgressBar` in its place, so the command and the job share one piece of work and the
same progress. The bar is drawn on standard error (standard output stays the command's result)
and only on a terminal: elsewhere click prints each step's label once."""
from __future__ import annotations

import sys

import click


class ProgressBar:
    """``with ProgressBar({"roll.checking": "Checking units"}) as progress: work(progress)``.

    A new bar starts when the step's total changes (a new phase of the work); the label follows
    the step (``labels``, else the step's own name)."""

    def __init__(self, labels: dict[str, str] | None = None, file=None):
        self.labels = labels or {}
        self.file = file or sys.stderr
        self._bar = None
        self._total = None

    def __call__(self, done: int, total: int, step: str = "", **values) -> None:
        if total <= 0:
            return
        label = self.labels.get(step, step)
        if self._bar is None or total != self._total:
            self.close()
            self._bar = click.progressbar(length=total, label=label, show_pos=True, file=self.file)
            self._bar.__enter__()
            self._total = total
        self._bar.label = label
        self._bar.update(max(0, min(done, total) - self._bar.pos))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
