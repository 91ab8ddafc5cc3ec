"""Jobs: long work outside the web request, with a progress page and a file to download.

A package puts a job's work in its own ``tasks.py``: a function ``work(job, progress)`` that
reads ``job.params``, reports ``progress(done, total, step)`` and returns a :class:`Result` (the
file) or, for work that writes rows and makes no file (an import), a :class:`Summary` of what it
did, registered with ``@registry.work("kind")``. A command can run the same work with
``core.progress_bar.ProgressBar`` as its ``progress``. Its route only starts the job
(``services.start``), commits, dispatches and redirects to the progress page
(``url_for("jobs.progress", job_id=job.id)``).

How a job runs (``JOBS_MODE``):

- ``celery`` (production, any machine with ``CELERY_BROKER_URL`` or ``REDIS_URL``): a Celery worker
  process runs it; the progress lives in Celery's result store (Redis), the outcome in the ``job``
  table and the file in ``JOBS_DIR``, which every web and worker machine shares.
- ``thread`` (``make run`` with no Redis): a thread of the web process runs it. What is lost: a
  restart of the web process loses a job that was running (its page then says it failed and it can
  be started again; nothing half-done was written), the web process does the drawing, and only the
  process that started a job shows its progress as it goes.
- ``inline`` (tests): the request runs the job before it answers.

The work of a job is one database transaction: either everything it wrote (codes issued, audit
events) and its file exist, or nothing does. The file is written under a temporary name and
renamed before the transaction commits; the job is marked done by that same commit.
"""
