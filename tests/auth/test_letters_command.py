"""``flask auth letters ESTATE_ID --out FILE``: the letters' job's work from the command line, with
a progress bar fed by the same progress callback (issue 16)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from governance_app.auth.models import ActivationCode
from governance_app.core.progress_bar import ProgressBar
from governance_app.extensions import db
from tests.support.voting_world import estate  # noqa: F401 (fixture: 梅园小区, 9 voters)


@pytest.fixture
def bar_calls(monkeypatch):
    calls = []
    told = ProgressBar.__call__

    def tell(self, done, total, step="", **values):
        calls.append((done, total, step))
        return told(self, done, total, step, **values)

    monkeypatch.setattr(ProgressBar, "__call__", tell)
    return calls


def codes(*where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(ActivationCode).where(*where))


def test_the_letters_are_written_to_one_pdf_with_a_bar_over_the_letters(app, runner, estate, tmp_path, bar_calls,
                                                                       monkeypatch):
    monkeypatch.setitem(app.config, "PDF_PROCESSES", 1)
    out = tmp_path / "letters.pdf"
    result = runner.invoke(args=["auth", "letters", str(estate.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF") and not (tmp_path / "letters.pdf.part").exists()
    assert result.stdout == f"{out}: {out.stat().st_size:,} bytes, activation letters for 梅园小区\n"
    assert bar_calls[0] == (0, 9, "letters.issuing") and bar_calls[-1] == (9, 9, "letters.binding")
    drawn = [done for done, total, step in bar_calls[1:]]
    assert drawn == sorted(drawn) and all(total == 9 for _done, total, _step in bar_calls)
    assert "Issuing the codes" in result.stderr and "Binding the letters" in result.stderr
    assert codes() == 9


def test_nobody_to_write_to_is_refused_and_writes_no_file(app, runner, estate, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "PDF_PROCESSES", 1)
    assert runner.invoke(args=["auth", "letters", str(estate.id), "--out", str(tmp_path / "first.pdf")]).exit_code == 0
    again = tmp_path / "again.pdf"
    result = runner.invoke(args=["auth", "letters", str(estate.id), "--out", str(again)])
    assert result.exit_code == 1
    assert result.stderr == ("Error: Every owner already has an account or an unused letter. "
                             "Nothing was written.\n")
    assert not again.exists() and codes() == 9
    result = runner.invoke(args=["auth", "letters", str(estate.id), "--out", str(again), "--reissue"])
    assert result.exit_code == 0, result.output
    assert again.read_bytes().startswith(b"%PDF")
    assert codes() == 18 and codes(ActivationCode.revoked_at.is_not(None)) == 9


def test_an_unknown_estate_is_a_usage_error(runner, estate, tmp_path):
    result = runner.invoke(args=["auth", "letters", str(estate.id + 1), "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2 and f"no estate with id {estate.id + 1}" in result.stderr
    assert not (tmp_path / "x.pdf").exists() and codes() == 0
