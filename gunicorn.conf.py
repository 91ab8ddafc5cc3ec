"""gunicorn's settings for this platform.

gunicorn reads this file when it is started from the project's root; elsewhere pass it with
``gunicorn -c /path/to/gunicorn.conf.py "governance_app:create_app()"``. Workers, address and
the rest come from the command line or ``GUNICORN_CMD_ARGS``.
"""
import gc


def post_worker_init(worker):
    """The application is loaded, and its modules, templates, metadata and compiled statements
    live as long as the worker: take them out of the garbage collector's scans (``gc.freeze``),
    and let the youngest generation grow to 50,000 objects before it is collected (a request
    makes tens of thousands, nearly all freed by reference counting). CPython's default of 700
    runs a collection several times in every request."""
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
