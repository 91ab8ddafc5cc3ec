"""gunicorn's settings for this platform.

gunicorn reads this file when it is started from the project's root; elsewhere pass it with
``gunicorn -c /path/to/gunicorn.conf.py "governance_app:create_app()"``. Workers, address and
the rest come from the command line or ``GUNICORN_CMD_ARGS`` (deploy/systemd/governance-web.service).

With several workers, Prometheus figures are kept in ``PROMETHEUS_MULTIPROC_DIR`` (see
governance_app/core/metrics.py): the directory is emptied when gunicorn starts, so that figures
of an earlier run are not added in, and a worker's files are marked dead when it exits.
"""
import gc
import glob
import os


def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for stale in glob.glob(os.path.join(directory, "*.db")):
            os.remove(stale)


def post_worker_init(worker):
    """The application is loaded, and its modules, templates, metadata and compiled statements
    live as long as the worker: take them out of the garbage collector's scans (``gc.freeze``),
    and let the youngest generation grow to 50,000 objects before it is collected (a request
    makes tens of thousands, nearly all freed by reference counting). CPython's default of 700
    runs a collection several times in every request."""
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
