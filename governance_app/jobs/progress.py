"""Where a running job's progress is kept while it runs.

Not in the database: the job's work is one transaction, and on SQLite a second writer would wait
for it. In a Celery worker the progress goes to Celery's result store (Redis), which every web
process reads; in a thread or inline it stays in this process.
"""
from __future__ import annotations

import threading

_LOCAL: dict[str, dict] = {}
_LOCK = threading.Lock()


def store(job_id: str, values: dict, task=None) -> None:
    if task is not None:
        task.update_state(task_id=job_id, state="PROGRESS", meta=values)
        return
    with _LOCK:
        _LOCAL[job_id] = values


def forget(job_id: str) -> None:
    with _LOCK:
        _LOCAL.pop(job_id, None)


def read(job_id: str, celery_app=None) -> dict | None:
    with _LOCK:
        local = _LOCAL.get(job_id)
    if local is not None or celery_app is None:
        return local
    found = celery_app.AsyncResult(job_id)
    return found.info if found.state == "PROGRESS" and isinstance(found.info, dict) else None
