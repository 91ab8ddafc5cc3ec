"""gunicorn.conf.py, the settings production and the cast benchmark run with."""
import gc
import pathlib
import runpy


def test_a_worker_freezes_what_the_application_loaded_and_collects_less_often():
    settings = runpy.run_path(str(pathlib.Path(__file__).parents[2] / "gunicorn.conf.py"))
    threshold = gc.get_threshold()
    try:
        settings["post_worker_init"](None)
        assert gc.get_threshold() == (50_000, 50, 100)
        assert gc.get_freeze_count() > 10_000  # all that is alive when the worker starts serving
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
