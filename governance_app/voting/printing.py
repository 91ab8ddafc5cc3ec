"""The documents a vote prints: the result announcement, the minutes and the filing form.

The values each one shows are built here (``*_data``); ``documents`` numbers, registers and
draws them, and rebuilds them through the source registered below to tell whether a printed
copy is still current.
"""
from __future__ import annotations

import datetime as dt

from ..core.clock import aware
from ..documents import rules as document_rules
from ..documents import services as documents
from ..documents.models import DocumentKind
from ..extensions import db
from . import rules, services
from .models import Vote

def _vote_facts(vote) -> dict:
    last_day = (documents.local(vote.closes_at) - dt.timedelta(days=1)).date()
    return {"id": vote.uid, "title": vote.title, "estate": vote.estate.name,
            "community": vote.estate.community.name, "sub_district": vote.estate.community.sub_district.name,
            "buildings": vote.buildings, "notice_day": documents.day(vote.notice_at), "opening_day": documents.day(vote.opens_at),
            "last_day": last_day.isoformat(), "counted_at": documents.minute(vote.counted_at),
            "posting_due": rules.result_posting_due(documents.local(vote.counted_at).date()).isoformat()}


def _commitment(vote) -> dict:
    """owners-vote/2: the commitment published with the notice, printed beside the final chain
    value. Absent for votes noticed before it existed, whose documents keep their values."""
    return {"commitment": vote.commitment} if vote.commitment else {}


def _participation(result: dict) -> dict:
    part, total = result["participation"], result["totals"]
    part_area, total_area = documents.hundredths(part["area"]), documents.hundredths(total["area"])
    return {"area": part["area"], "total_area": total["area"], "heads": part["heads"],
            "total_heads": total["heads"], "area_share": document_rules.share_text(part_area, total_area),
            "heads_share": document_rules.share_text(part["heads"], total["heads"]),
            "area_met": document_rules.two_thirds_met(part_area, total_area),
            "heads_met": document_rules.two_thirds_met(part["heads"], total["heads"]),
            "met": part["met"], "rule": "R-10", "ballots": result["ballots"]}


def _share(figures: dict, participation: dict) -> dict:
    return {**figures, "area_share": document_rules.share_text(documents.hundredths(figures["area"]), documents.hundredths(participation["area"])),
            "heads_share": document_rules.share_text(figures["heads"], participation["heads"])}


def _item(item, outcome: dict, participation: dict) -> dict:
    base = {"key": item.key, "position": item.position, "title": item.title, "kind": item.kind.value,
            "matter": item.matter, "rule": outcome["rule"], "outcome": outcome["outcome"]}
    if item.kind.value == "resolution":
        return {**base, "approval_met": outcome["approval_met"],
                **{choice: _share(outcome[choice], participation) for choice in ("approve", "oppose", "abstain",
                                                                                 "blank")}}
    if item.kind.value == "election":
        names = {c.key: c.name for c in item.candidates}
        runoff = outcome.get("runoff")
        alternates_runoff = outcome.get("alternates_runoff")
        return {**base, "seats": item.seats, "alternate_places": item.alternates, "spoiled": outcome["spoiled"],
                "candidates": [{"name": names[c["id"]], "area": c["area"], "heads": c["heads"],
                                "eligible": c["eligible"], **_share(c, participation)}
                               for c in outcome["candidates"]],
                "elected": [_candidate(names, outcome, key, participation) for key in outcome["elected"]],
                "alternates": [_candidate(names, outcome, key, participation) for key in outcome["alternates"]],
                "runoff": {"names": [names[k] for k in runoff["candidates"]], "seats": runoff["seats"]}
                if runoff else None,
                "alternates_runoff": {"names": [names[k] for k in alternates_runoff["candidates"]],
                                      "seats": alternates_runoff["seats"]} if alternates_runoff else None,
                "vacant": outcome["vacant"]}
    titles = {o.key: o.title for o in item.options}
    return {**base, "choice_rule": "R-22",
            "options": [{"title": titles[o["id"]], "area": o["area"], "heads": o["heads"], "passed": o["passed"],
                         **_share(o, participation)} for o in outcome["options"]],
            "option": titles.get(outcome["option"]) if outcome["option"] else None}


def _candidate(names: dict, outcome: dict, key: str, participation: dict) -> dict:
    figures = next(c for c in outcome["candidates"] if c["id"] == key)
    return {"name": names[key], **_share({"area": figures["area"], "heads": figures["heads"]}, participation)}


def announcement_data(vote) -> dict | None:
    """表决结果公告: everything the result page shows, with the per-building breakdown."""
    if vote.result is None:
        return None
    participation = _participation(vote.result)
    items = [_item(item, vote.result["items"][item.key], participation) for item in vote.items]
    resolutions = [i["key"] for i in items if i["kind"] == "resolution"]
    breakdown = [{"building": row["building"], "units": row["units"], "area": row["area"],
                  "participating_units": row["participating_units"],
                  "participating_area": row["participating_area"],
                  "approve_area": [row["approve_area"][key] for key in resolutions]}
                 for row in services.breakdown(vote)]
    return {"vote": _vote_facts(vote), "participation": participation, "items": items,
            "breakdown_items": [i["position"] for i in items if i["kind"] == "resolution"],
            "breakdown": breakdown, "final_chain": vote.final_chain,
            "result_url": documents.site_url(f"/votes/{vote.id}/result"), **_commitment(vote)}


def minutes_data(vote) -> dict | None:
    """业主大会会议纪要 of a written (online and paper) vote: attendance is participation, the
    agenda the items, the decisions their outcomes."""
    if vote.result is None:
        return None
    participation = _participation(vote.result)
    items = [_item(item, vote.result["items"][item.key], participation) for item in vote.items]
    channels: dict[str, int] = {}
    closes = aware(vote.closes_at)
    for ballot in services.ballots_in_order(vote):
        if ballot.status.value == "valid" and aware(ballot.received_at) < closes:
            channels[ballot.channel.value] = channels.get(ballot.channel.value, 0) + 1
    return {"vote": _vote_facts(vote), "participation": participation, "channels": channels, "items": items,
            "final_chain": vote.final_chain, **_commitment(vote)}


def has_election(vote) -> bool:
    return any(item.kind.value == "election" for item in vote.items)


def filing_data(vote) -> dict | None:
    """R-46 备案: the elected committee files with the sub-district within 30 days of the
    election. The election day is the last day of voting: counting later never moves the
    deadline later."""
    if vote.result is None or not has_election(vote):
        return None
    participation = _participation(vote.result)
    facts = _vote_facts(vote)
    elections = [_item(item, vote.result["items"][item.key], participation)
                 for item in vote.items if item.kind.value == "election"]
    election_day = dt.date.fromisoformat(facts["last_day"])
    return {"vote": facts, "participation": participation, "elections": elections,
            "election_day": election_day.isoformat(),
            "filing_deadline": document_rules.filing_deadline(election_day).isoformat(), "rule": "R-46",
            "final_chain": vote.final_chain, **_commitment(vote)}


def result_announcement_pdf(vote, actor) -> bytes:
    data = announcement_data(vote)
    return documents.one_pdf(DocumentKind.RESULT_ANNOUNCEMENT, "pdf/result_announcement.html", vote.estate_id, "vote", vote.id,
                data, actor, qr=documents.qr_data_uri(data["result_url"]))


def vote_minutes_pdf(vote, actor) -> bytes:
    return documents.one_pdf(DocumentKind.VOTE_MINUTES, "pdf/vote_minutes.html", vote.estate_id, "vote", vote.id,
                minutes_data(vote), actor)


def filing_form_pdf(vote, actor) -> bytes:
    return documents.one_pdf(DocumentKind.FILING_FORM, "pdf/filing_form.html", vote.estate_id, "vote", vote.id,
                filing_data(vote), actor)


def _current(build):
    def source(vote_id: int) -> dict | None:
        vote = db.session.get(Vote, vote_id)
        return build(vote) if vote else None
    return source


documents.register_current_source(DocumentKind.RESULT_ANNOUNCEMENT, _current(announcement_data))
documents.register_current_source(DocumentKind.VOTE_MINUTES, _current(minutes_data))
documents.register_current_source(DocumentKind.FILING_FORM, _current(filing_data))
