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


def test_the_metrics_folder_is_emptied_when_gunicorn_starts(tmp_path, monkeypatch):
    """Figures of an earlier run are not added to this run's (multiprocess mode)."""
    settings = runpy.run_path(str(pathlib.Path(__file__).parents[2] / "gunicorn.conf.py"))
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_1234.db").write_bytes(b"old")
    (folder / "keep.txt").write_text("not ours")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    settings["on_starting"](None)
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt"]
