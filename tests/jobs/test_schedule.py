"""The schedule (Celery beat) that replaces the cron line: every minute votes open and close, every
hour duties and reminders (issue 16)."""
from __future__ import annotations

import datetime as dt

from governance_app.core import clock as platform_clock
from governance_app.extensions import db
from governance_app.jobs.celery_app import celery_for
from governance_app.voting import services as voting
from governance_app.voting.tasks import open_and_close
from tests.support.voting_world import SHANGHAI


def test_beat_runs_the_tick_every_minute_and_the_duties_every_hour(app, another_app):
    web = another_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "GOVERNANCE_ENV": "testing",
                      "JOBS_MODE": "celery", "CELERY_BROKER_URL": "redis://127.0.0.1:1/0"})
    schedule = celery_for(web).conf.beat_schedule
    tick, hourly = schedule["votes-open-and-close"], schedule["duties-and-reminders"]
    assert tick["task"] == "governance.tick" and tick["schedule"].minute == set(range(60))
    assert hourly["task"] == "governance.hourly" and hourly["schedule"].minute == {5}
    assert {"governance.tick", "governance.hourly", "governance.run_job", "governance.send_mail"} <= set(
        celery_for(web).tasks)


def test_the_tick_opens_a_noticed_vote_on_time(draft_vote, committee, clock):
    voting.publish_notice(draft_vote, committee)
    db.session.commit()
    assert open_and_close() == 0
    clock.move_to(dt.datetime.combine(platform_clock.aware(draft_vote.opens_at).astimezone(SHANGHAI).date(), dt.time(9)))
    assert open_and_close() == 1 and draft_vote.state.value == "open"
