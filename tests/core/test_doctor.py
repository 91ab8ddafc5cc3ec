from governance_app import create_app
from governance_app.core import cli as core_cli


def test_doctor_reports_a_healthy_machine(runner, monkeypatch):
    monkeypatch.setattr(core_cli, "check_cjk_font", lambda: core_cli.Check("CJK font", True, "Noto Sans CJK SC"))
    monkeypatch.setattr(core_cli.ctypes.util, "find_library", lambda name: f"lib{name}.so")
    monkeypatch.setattr(core_cli.shutil, "which", lambda name: f"/usr/bin/{name}")
    result = runner.invoke(args=["doctor"])
    assert result.exit_code == 0, result.output
    assert "[ok  ] database" in result.output
    assert "MISSING" not in result.output


def test_doctor_names_what_to_install(runner, monkeypatch):
    monkeypatch.setattr(core_cli.ctypes.util, "find_library", lambda name: None)
    monkeypatch.setattr(core_cli.shutil, "which", lambda name: None)
    result = runner.invoke(args=["doctor"])
    assert result.exit_code == 1
    assert "fix: apt-get install libharfbuzz-subset0" in result.output
    assert "fix: apt-get install fontconfig fonts-noto-cjk" in result.output
    assert "missing (optional)] chromium" in result.output
    assert "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk" in result.output


def test_doctor_says_when_the_database_is_not_migrated(tmp_path):
    app = create_app({"GOVERNANCE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}"})
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1
    assert "run: flask db upgrade" in result.output
    with app.app_context():
        from governance_app.extensions import db
        db.engine.dispose()


def test_doctor_checks_redis_when_configured(runner, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    result = runner.invoke(args=["doctor"])
    assert "redis" in result.output
    assert "start Redis or unset REDIS_URL" in result.output
    assert result.exit_code == 1
