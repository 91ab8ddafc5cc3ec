"""Use cases of a residents' proposal: raising, co-signing, answering, the funding plan, the vote,
delivery and the owners' rating (R-70, R-71, R-41, R-53; who counts: R-02, R-15).

Voting, the accounts, files and the audit log are used through their services only. Every
function flushes and records its audit event; the request commits.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select

from ..audit.services import created, record
from ..core import clock, events
from ..disclosure.services import render_markdown
from ..estates import rules as roll_rules
from ..estates.models import Estate
from ..estates.services import current_roll_units
from ..extensions import db
from ..files import services as files
from ..funds import services as funds
from ..funds.models import FundError
from ..voting import services as voting
from ..voting.models import ItemKind, Vote, VoteError, VoteState
from . import rules
from .models import (
    ANSWERABLE_STATES, SIGNING_STATES, AnswerKind, CoSignature, FundingPlan, Milestone, ProgressUpdate, Proposal,
    ProposalAnswer, ProposalError, ProposalFile, ProposalSettings, ProposalState, Rating,
)

MAX_FILE_BYTES = 10 * 1024 * 1024  # as evidence files (files.services.MAX_BYTES)


def markdown(text: str) -> str:
    """A proposal's text is sanitised as a notice is (raw HTML off, then cleaned)."""
    return render_markdown(text)


# --- settings (R-70, per estate) --------------------------------------------------------------------

def settings(estate: Estate) -> ProposalSettings:
    """The estate's settings, or the defaults (R-70) as an unsaved row: reading them writes nothing."""
    found = db.session.get(ProposalSettings, estate.id)
    if found is None:
        found = ProposalSettings(estate_id=estate.id, answer_percent=rules.DEFAULT_ANSWER_PERCENT,
                                 answer_days=rules.DEFAULT_ANSWER_DAYS, vote_days=rules.DEFAULT_VOTE_DAYS)
    return found


def change_settings(estate: Estate, *, answer_percent: int, answer_days: int, vote_days: int, actor) -> bool:
    """The estate's R-70 threshold and periods; False when nothing changed (no event). A lower
    threshold takes effect at once: a proposal collecting co-signatures that now reaches it
    awaits the committee's answer from today."""
    if not rules.settings_allowed(answer_percent, answer_days, vote_days):
        raise ProposalError("bad_settings")
    current = settings(estate)
    old = {"answer_percent": current.answer_percent, "answer_days": current.answer_days,
           "vote_days": current.vote_days}
    new = {"answer_percent": answer_percent, "answer_days": answer_days, "vote_days": vote_days}
    if old == new:
        return False
    current.answer_percent, current.answer_days, current.vote_days = answer_percent, answer_days, vote_days
    db.session.add(current)  # the first change saves the defaults' row
    db.session.flush()
    record("proposals.settings_changed", estate_id=estate.id, object_type="estate", object_id=estate.id,
           details={"old": old, "new": new}, actor=actor)
    for proposal in db.session.scalars(select(Proposal).where(
            Proposal.estate_id == estate.id, Proposal.state == ProposalState.SUPPORT).order_by(Proposal.id)):
        _check_thresholds(proposal, actor)
    return True


# --- raising ----------------------------------------------------------------------------------------

def _check_fields(estate: Estate, *, title: str, category: str, buildings: Sequence[str] | None,
                  estimated_cost: int) -> list[str] | None:
    if not title.strip():
        raise ProposalError("no_title")
    if category not in rules.CATEGORIES:
        raise ProposalError("bad_category")
    if estimated_cost < 0:
        raise ProposalError("negative_cost")
    if not buildings:
        return None
    known = set(voting.estate_buildings(estate))
    unknown = [b for b in buildings if b not in known]
    if unknown:
        raise ProposalError("unknown_building", building=unknown[0])
    return sorted(set(buildings))


def attach(proposal: Proposal, content: bytes, label: str, actor, update: ProgressUpdate | None = None) -> ProposalFile:
    """A photo or document, its type checked by content and its size limited (as evidence files)."""
    try:
        stored = files.store(content, MAX_FILE_BYTES)
    except files.FileRefused as refused:
        raise ProposalError(f"file_{refused.reason}") from refused
    found = ProposalFile(proposal=proposal, file_id=stored.id, label=label.strip()[:200],
                         update_id=update.id if update else None)
    return created(found, "proposals.file_attached", estate_id=proposal.estate_id, object_type="proposal",
                   object_id=proposal.id, details={"file": stored.sha256, "label": found.label}, actor=actor)


def create(estate: Estate, author, *, title: str, problem: str, remedy: str, category: str,
           buildings: Sequence[str] | None, changes_use: bool, estimated_cost: int,
           uploads: Sequence[tuple[bytes, str]] = ()) -> Proposal:
    """A verified owner's draft, private to its author until submitted."""
    if author.owner is None or author.owner.estate_id != estate.id:
        raise ProposalError("owners_only")
    scope = _check_fields(estate, title=title, category=category, buildings=buildings, estimated_cost=estimated_cost)
    proposal = Proposal(estate_id=estate.id, author_id=author.id, title=title.strip()[:200], problem=problem.strip(),
                        remedy=remedy.strip(), category=category, buildings=scope, changes_use=changes_use,
                        estimated_cost=estimated_cost, state=ProposalState.DRAFT, created_at=clock.now(),
                        percent_complete=0, contractor="")
    created(proposal, "proposals.drafted", object_type="proposal",
            details={"title": proposal.title, "category": category, "buildings": scope, "cost": estimated_cost},
            actor=author)
    for content, label in uploads:
        attach(proposal, content, label, author)
    return proposal


def edit(proposal: Proposal, author, *, title: str, problem: str, remedy: str, category: str,
         buildings: Sequence[str] | None, changes_use: bool, estimated_cost: int,
         uploads: Sequence[tuple[bytes, str]] = ()) -> None:
    """The author changes a draft (also one returned for changes)."""
    proposal.require(ProposalState.DRAFT)
    if proposal.author_id != author.id:
        raise ProposalError("author_only")
    scope = _check_fields(proposal.estate, title=title, category=category, buildings=buildings,
                          estimated_cost=estimated_cost)
    proposal.title, proposal.problem, proposal.remedy = title.strip()[:200], problem.strip(), remedy.strip()
    proposal.category, proposal.buildings, proposal.changes_use = category, scope, changes_use
    proposal.estimated_cost = estimated_cost
    db.session.flush()
    record("proposals.edited", estate_id=proposal.estate_id, object_type="proposal", object_id=proposal.id,
           details={"title": proposal.title, "buildings": scope, "cost": estimated_cost}, actor=author)
    for content, label in uploads:
        attach(proposal, content, label, author)


def submit(proposal: Proposal, author) -> None:
    """The draft becomes visible to the estate and open to co-signing."""
    if proposal.author_id != author.id:
        raise ProposalError("author_only")
    proposal.move(ProposalState.SUPPORT, ProposalState.DRAFT)
    proposal.submitted_at = clock.now()
    db.session.flush()
    record("proposals.submitted", estate_id=proposal.estate_id, object_type="proposal", object_id=proposal.id,
           actor=author)
    _check_thresholds(proposal, author)


# --- co-signing (R-70, R-02, R-15) ------------------------------------------------------------------

def scope_roll(proposal: Proposal) -> roll_rules.Roll:
    """The owners in the proposal's scope, counted as a vote's roll is (R-02, R-04, R-15)."""
    return roll_rules.count_roll(current_roll_units(proposal.estate), proposal.buildings)


def buildings_of(estate: Estate, user) -> list[str] | None:
    """The buildings of the units whose owner key the account casts for (None if none)."""
    roll = roll_rules.count_roll(current_roll_units(estate))
    units = {label for voter in keys_of(user, roll) for label in voter.units}
    found = sorted({unit.building for unit in current_roll_units(estate) if unit.label in units})
    return found or None


def keys_of(user, roll: roll_rules.Roll) -> list[roll_rules.Voter]:
    """The owner keys whose ballot this account casts: the sole owner, the co-owners' chosen
    representative, the developer's one holding company (R-03, R-15), as for a ballot."""
    if user.owner is None:
        return []
    mine = f"o{user.owner_id}"
    return [voter for voter in roll.voters if voter.representative == mine]


@dataclass(frozen=True)
class Support:
    signed_heads: int
    signed_area: int
    total_heads: int
    total_area: int
    answer_percent: int

    @property
    def answer_due(self) -> bool:
        return rules.answer_due(self.signed_heads, self.total_heads, self.answer_percent)

    @property
    def assembly(self) -> bool:
        return rules.assembly_may_be_required(self.signed_area, self.total_area, self.signed_heads, self.total_heads)

    @property
    def heads_for_answer(self) -> int:
        return rules.needed_for(self.total_heads, self.answer_percent)

    @property
    def heads_for_assembly(self) -> int:
        return rules.needed_for(self.total_heads, rules.ASSEMBLY_PERCENT)

    @property
    def area_for_assembly(self) -> int:
        return rules.needed_for(self.total_area, rules.ASSEMBLY_PERCENT)

    @property
    def heads_percent(self) -> int:
        return rules.percent_of(self.signed_heads, self.total_heads)

    @property
    def area_percent(self) -> int:
        return rules.percent_of(self.signed_area, self.total_area)


def signatures(proposal: Proposal) -> Sequence[CoSignature]:
    return db.session.scalars(select(CoSignature).where(CoSignature.proposal_id == proposal.id)
                              .order_by(CoSignature.id)).all()


def support(proposal: Proposal, roll: roll_rules.Roll | None = None) -> Support:
    """Co-signatures by heads and area against the scope's totals (R-70). A co-signature counts
    while its owner key is still in the scope, with the key's area in the scope now."""
    roll = roll or scope_roll(proposal)
    areas = {voter.key: voter.area for voter in roll.voters}
    signed = [sig.voter for sig in signatures(proposal) if sig.voter in areas]
    return Support(signed_heads=len(signed), signed_area=sum(areas[key] for key in signed),
                   total_heads=roll.total_heads, total_area=roll.total_area,
                   answer_percent=settings(proposal.estate).answer_percent)


def _check_thresholds(proposal: Proposal, actor) -> None:
    """Record the day each threshold is first reached: the answer (R-70) and the assembly (R-41)
    deadlines run from then, whatever later withdrawals do."""
    found = support(proposal)
    today = clock.today()
    if found.answer_due and proposal.answer_threshold_on is None:
        proposal.answer_threshold_on = today
        if proposal.state == ProposalState.SUPPORT:
            proposal.state = ProposalState.AWAITING_ANSWER
        record("proposals.answer_threshold", estate_id=proposal.estate_id, object_type="proposal",
               object_id=proposal.id, details={"heads": found.signed_heads, "of": found.total_heads}, actor=actor)
    if found.assembly and proposal.assembly_threshold_on is None:
        proposal.assembly_threshold_on = today
        record("proposals.assembly_threshold", estate_id=proposal.estate_id, object_type="proposal",
               object_id=proposal.id, details={"heads": found.signed_heads, "area": found.signed_area}, actor=actor)
    db.session.flush()


def cosign(proposal: Proposal, user) -> int:
    """The account co-signs for every owner key it casts for in the scope, once each (R-70):
    how many keys were added."""
    proposal.require(*SIGNING_STATES)
    roll = scope_roll(proposal)
    keys = keys_of(user, roll)
    if not keys:
        raise ProposalError("not_in_scope")
    done = {sig.voter for sig in signatures(proposal)}
    new = [voter for voter in keys if voter.key not in done]
    if not new:
        raise ProposalError("already_signed")
    for voter in new:
        db.session.add(CoSignature(proposal_id=proposal.id, voter=voter.key, units=list(voter.units), area=voter.area,
                                   user_id=user.id, signed_at=clock.now()))
    db.session.flush()
    record("proposals.cosigned", estate_id=proposal.estate_id, object_type="proposal", object_id=proposal.id,
           details={"voters": [voter.key for voter in new]}, actor=user)
    _check_thresholds(proposal, user)
    return len(new)


def withdraw_signature(proposal: Proposal, user) -> None:
    """Allowed until the proposal is answered (R-70)."""
    proposal.require(*SIGNING_STATES)
    keys = [voter.key for voter in keys_of(user, scope_roll(proposal))]
    removed = db.session.execute(delete(CoSignature).where(
        CoSignature.proposal_id == proposal.id, CoSignature.voter.in_(keys))).rowcount if keys else 0
    if not removed:
        raise ProposalError("not_signed")
    record("proposals.signature_withdrawn", estate_id=proposal.estate_id, object_type="proposal",
           object_id=proposal.id, details={"voters": keys}, actor=user)


def signed_by(proposal: Proposal, user, roll: roll_rules.Roll | None = None) -> bool:
    keys = {voter.key for voter in keys_of(user, roll or scope_roll(proposal))}
    return bool(keys & {sig.voter for sig in signatures(proposal)})


# --- review and coordination (审核协调) -----------------------------------------------------------

def answer(proposal: Proposal, actor, *, kind: AnswerKind, text: str, merged_into: Proposal | None = None) -> None:
    """The committee's answer: accepted (to prepare a vote), declined with reasons, merged into
    another proposal, or returned to the author for changes."""
    proposal.require(*ANSWERABLE_STATES)
    if kind == AnswerKind.COORDINATION:
        raise ProposalError("bad_answer")
    if kind != AnswerKind.ACCEPTED and not text.strip():
        raise ProposalError("reasons_needed")
    if kind == AnswerKind.MERGED:
        if merged_into is None or merged_into.id == proposal.id or merged_into.estate_id != proposal.estate_id \
                or merged_into.state in (ProposalState.DRAFT, ProposalState.MERGED):
            raise ProposalError("bad_merge")
    proposal.state = {AnswerKind.ACCEPTED: ProposalState.PREPARATION, AnswerKind.DECLINED: ProposalState.DECLINED,
                      AnswerKind.MERGED: ProposalState.MERGED, AnswerKind.RETURNED: ProposalState.DRAFT}[kind]
    proposal.answered_on = clock.today()
    proposal.merged_into_id = merged_into.id if kind == AnswerKind.MERGED else None
    _add_answer(proposal, actor, kind, text, "committee", merged_into)


def coordinate(proposal: Proposal, actor, text: str) -> None:
    """The community staff's coordination opinion, shown to owners; it changes no state."""
    if proposal.state == ProposalState.DRAFT:
        raise ProposalError("wrong_state", state=proposal.state.value)
    if not text.strip():
        raise ProposalError("reasons_needed")
    _add_answer(proposal, actor, AnswerKind.COORDINATION, text, "community_staff", None)


def _add_answer(proposal: Proposal, actor, kind: AnswerKind, text: str, role: str,
                merged_into: Proposal | None) -> None:
    db.session.add(ProposalAnswer(proposal_id=proposal.id, kind=kind, text=text.strip(), author_id=actor.id,
                                  author_role=role, merged_into_id=merged_into.id if merged_into else None,
                                  created_at=clock.now()))
    db.session.flush()
    db.session.refresh(proposal, ["answers"])
    record("proposals.answered", estate_id=proposal.estate_id, object_type="proposal", object_id=proposal.id,
           details={"kind": kind.value, "role": role, "merged_into": proposal.merged_into_id}, actor=actor)


# --- the funding plan (R-71, R-53) ---------------------------------------------------------------

def _lines(plan: FundingPlan) -> list[rules.PlanLine]:
    return [rules.PlanLine("owners", plan.owners_amount),
            rules.PlanLine("subsidy", plan.subsidy_amount, plan.subsidy_status),
            rules.PlanLine("common_income", plan.common_income_amount),
            rules.PlanLine("maintenance_fund", plan.fund_amount)]


def save_plan(proposal: Proposal, actor, *, total_cost: int, apportion_by: str, owners_amount: int,
              subsidy_amount: int, subsidy_programme: str, subsidy_status: str, common_income_amount: int,
              fund_amount: int, subsidy_document: bytes | None = None) -> FundingPlan:
    """A new version of the plan; versions are kept until the proposal goes to a vote. The
    maintenance-fund line is allowed because the vote it goes to is then of matter 5 (R-53)."""
    proposal.require(ProposalState.PREPARATION)
    if apportion_by not in rules.APPORTION_MODES:
        raise ProposalError("bad_apportion")
    plan = FundingPlan(proposal_id=proposal.id, version=(proposal.plan.version + 1 if proposal.plan else 1),
                       total_cost=total_cost, apportion_by=apportion_by, owners_amount=owners_amount,
                       subsidy_amount=subsidy_amount, subsidy_programme=subsidy_programme.strip()[:200],
                       subsidy_status=subsidy_status, common_income_amount=common_income_amount,
                       fund_amount=fund_amount, created_by_id=actor.id, created_at=clock.now())
    problem = rules.plan_problem(total_cost, _lines(plan), fund_resolution=True)
    if problem:
        raise ProposalError(problem[0], **problem[1])
    if subsidy_document:
        try:
            plan.subsidy_file_id = files.store(subsidy_document, MAX_FILE_BYTES).id
        except files.FileRefused as refused:
            raise ProposalError(f"file_{refused.reason}") from refused
    elif proposal.plan is not None:
        plan.subsidy_file_id = proposal.plan.subsidy_file_id
    # An earlier version's approval (and what it reserved) no longer stands.
    funds.release(proposal.estate, proposal.id, actor)
    db.session.add(plan)
    db.session.flush()
    db.session.refresh(proposal, ["plans"])
    record("proposals.plan_saved", estate_id=proposal.estate_id, object_type="proposal", object_id=proposal.id,
           details={"version": plan.version, "cost": total_cost, "owners": owners_amount, "subsidy": subsidy_amount,
                    "subsidy_status": subsidy_status, "common_income": common_income_amount, "fund": fund_amount,
                    "apportion_by": apportion_by}, actor=actor)
    return plan


def common_income_available(estate: Estate) -> int | None:
    """The common-income account's available balance (its balance less reservations), or None
    if the estate's accounts are not open."""
    account = funds.get_account(estate, "common_income")
    return None if account is None else funds.available(account)


def approve_plan(proposal: Proposal, actor) -> FundingPlan:
    """The committee approves the latest version: the common income it uses must not exceed the
    account's available balance now, and approving reserves it (R-71)."""
    proposal.require(ProposalState.PREPARATION)
    plan = proposal.plan
    if plan is None:
        raise ProposalError("no_plan")
    if plan.approved_at is not None:
        raise ProposalError("plan_approved")
    if plan.common_income_amount:
        available = common_income_available(proposal.estate)
        if available is None:
            raise ProposalError("no_accounts")
        problem = rules.plan_problem(plan.total_cost, _lines(plan), common_income_available=available,
                                     fund_resolution=True)
        if problem:
            raise ProposalError(problem[0], **problem[1])
        try:
            funds.reserve(proposal.estate, funds.get_account(proposal.estate, "common_income"),
                          amount=plan.common_income_amount, project_id=proposal.id,
                          purpose=proposal.title, actor=actor)
        except FundError as refused:  # the same ceiling, checked under the funds' own rule
            raise ProposalError("common_income_exceeds", used=plan.common_income_amount,
                                available=available) from refused
    plan.approved_at = clock.now()
    db.session.flush()
    record("proposals.plan_approved", estate_id=proposal.estate_id, object_type="proposal", object_id=proposal.id,
           details={"version": plan.version, "reserved": plan.common_income_amount}, actor=actor)
    return plan


@dataclass(frozen=True)
class Share:
    unit: str
    weight: int
    amount: int


def shares(proposal: Proposal, plan: FundingPlan | None = None) -> list[Share]:
    """The owners' line apportioned over the units in scope, sorted by label (R-71)."""
    plan = plan or proposal.plan
    if plan is None or plan.owners_amount == 0:
        return []
    wanted = set(proposal.buildings) if proposal.buildings else None
    units = sorted((unit for unit in current_roll_units(proposal.estate)
                    if wanted is None or unit.building in wanted), key=lambda unit: unit.label)
    if not units:
        return []
    weights = [unit.area if plan.apportion_by == "area" else 1 for unit in units]
    amounts = rules.apportion(plan.owners_amount, weights)
    return [Share(unit.label, weight, amount) for unit, weight, amount in zip(units, weights, amounts)]


def my_shares(proposal: Proposal, user) -> list[Share]:
    """The shares of the units whose owner key this account casts for."""
    mine = {label for voter in keys_of(user, scope_roll(proposal)) for label in voter.units}
    return [share for share in shares(proposal) if share.unit in mine]


# --- to a vote ----------------------------------------------------------------------------------

def matter_of(proposal: Proposal) -> int:
    plan = proposal.plan
    return rules.matter_for(proposal.category, uses_fund=bool(plan and rules.uses_maintenance_fund(_lines(plan))),
                            changes_use=proposal.changes_use)


def to_vote(proposal: Proposal, actor, *, opening_date: dt.date, last_day: dt.date, description: str) -> Vote:
    """A draft vote with one resolution item on the approved plan, the proposal's scope as its
    buildings; the committee edits and notices it as any vote. The vote's text names the plan's version."""
    proposal.require(ProposalState.PREPARATION)
    plan = proposal.plan
    if plan is None or plan.approved_at is None:
        raise ProposalError("plan_not_approved")
    text = (description.strip() + "\n\n" if description.strip() else "") + _plan_text(proposal, plan)
    try:
        vote = voting.create_vote(proposal.estate, title=proposal.title, description=text, opening_date=opening_date,
                                  last_day=last_day, buildings=proposal.buildings, actor=actor)
        voting.add_item(vote, kind=ItemKind.RESOLUTION, matter=matter_of(proposal), title=proposal.title,
                        description=text)
    except VoteError as refused:
        raise ProposalError(f"vote_{refused.reason}", **refused.details) from refused
    proposal.vote_id, proposal.vote_plan_version, proposal.state = vote.id, plan.version, ProposalState.VOTING
    db.session.flush()
    record("proposals.to_vote", estate_id=proposal.estate_id, object_type="proposal", object_id=proposal.id,
           details={"vote": vote.id, "plan_version": plan.version, "matter": matter_of(proposal)}, actor=actor)
    return vote


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _plan_text(proposal: Proposal, plan: FundingPlan) -> str:
    """The plan as the vote's notice carries it (in the estate's language, Chinese): its version and lines."""
    lines = [f"资金方案第 {plan.version} 版（提案 #{proposal.id}）：总费用 {_yuan(plan.total_cost)} 元",
             f"- 居民自筹 {_yuan(plan.owners_amount)} 元（{'按面积' if plan.apportion_by == 'area' else '按户'}分摊）",
             f"- 政府补贴 {_yuan(plan.subsidy_amount)} 元 {plan.subsidy_programme}".rstrip(),
             f"- 公共收益 {_yuan(plan.common_income_amount)} 元",
             f"- 专项维修资金 {_yuan(plan.fund_amount)} 元"]
    return "\n".join(lines)


def vote_of(proposal: Proposal) -> Vote | None:
    return voting.get_vote(proposal.vote_id) if proposal.vote_id else None


def vote_outcome(vote: Vote) -> str | None:
    """"passed" or "failed" once the vote's result is published; None before."""
    if vote.state != VoteState.PUBLISHED or not vote.items:
        return None
    return (vote.result or {}).get("items", {}).get(vote.items[0].key, {}).get("outcome", "failed")


def on_result_published(vote: Vote, **_details) -> None:
    """Follows voting's result (core.events): the proposal passes or fails with its vote; a failed
    one gives back the common income reserved for it."""
    for proposal in db.session.scalars(select(Proposal).where(Proposal.vote_id == vote.id,
                                                              Proposal.state == ProposalState.VOTING)):
        outcome = vote_outcome(vote)
        proposal.state = ProposalState.PASSED if outcome == "passed" else ProposalState.FAILED
        if proposal.state == ProposalState.FAILED:
            funds.release(proposal.estate, proposal.id, None)
        record("proposals.vote_result", estate_id=proposal.estate_id, object_type="proposal", object_id=proposal.id,
               details={"vote": vote.id, "outcome": outcome})


events.vote_result_published.connect(on_result_published)


# --- delivery and evaluation ----------------------------------------------------------------------

def start_delivery(proposal: Proposal, actor, *, contractor: str, contract: bytes | None) -> None:
    """A passed proposal becomes a project with its contractor and contract."""
    if not contractor.strip():
        raise ProposalError("no_contractor")
    proposal.move(ProposalState.DELIVERY, ProposalState.PASSED)
    proposal.contractor = contractor.strip()[:200]
    if contract:
        try:
            proposal.contract_file_id = files.store(contract, MAX_FILE_BYTES).id
        except files.FileRefused as refused:
            raise ProposalError(f"file_{refused.reason}") from refused
    db.session.flush()
    record("proposals.delivery_started", estate_id=proposal.estate_id, object_type="proposal",
           object_id=proposal.id, details={"contractor": proposal.contractor}, actor=actor)


def add_milestone(proposal: Proposal, actor, *, title: str, due_on: dt.date) -> Milestone:
    proposal.require(ProposalState.DELIVERY)
    if not title.strip():
        raise ProposalError("no_title")
    milestone = Milestone(proposal_id=proposal.id, title=title.strip()[:200], due_on=due_on)
    db.session.add(milestone)
    db.session.flush()
    db.session.refresh(proposal, ["milestones"])
    record("proposals.milestone_added", estate_id=proposal.estate_id, object_type="proposal", object_id=proposal.id,
           details={"title": milestone.title, "due_on": due_on.isoformat()}, actor=actor)
    return milestone


def reach_milestone(proposal: Proposal, actor, milestone_id: int) -> Milestone:
    """The committee marks a milestone of a project in delivery reached, today; once only."""
    proposal.require(ProposalState.DELIVERY)
    milestone = next((one for one in proposal.milestones if one.id == milestone_id), None)
    if milestone is None:
        raise ProposalError("no_milestone")
    if milestone.done_on is not None:
        raise ProposalError("milestone_reached", day=milestone.done_on.isoformat())
    milestone.done_on = clock.today()
    db.session.flush()
    record("proposals.milestone_reached", estate_id=proposal.estate_id, object_type="proposal",
           object_id=proposal.id, details={"title": milestone.title, "due_on": milestone.due_on.isoformat(),
                                           "done_on": milestone.done_on.isoformat()}, actor=actor)
    return milestone


def add_update(proposal: Proposal, actor, *, text: str, percent_complete: int,
               photos: Sequence[tuple[bytes, str]] = ()) -> ProgressUpdate:
    proposal.require(ProposalState.DELIVERY)
    if not 0 <= percent_complete <= 100:
        raise ProposalError("bad_percent")
    if not text.strip():
        raise ProposalError("no_text")
    update = ProgressUpdate(proposal_id=proposal.id, text=text.strip(), percent_complete=percent_complete,
                            author_id=actor.id, created_at=clock.now())
    db.session.add(update)
    db.session.flush()
    proposal.percent_complete = percent_complete
    record("proposals.progress", estate_id=proposal.estate_id, object_type="proposal", object_id=proposal.id,
           details={"percent": percent_complete}, actor=actor)
    for content, label in photos:
        attach(proposal, content, label, actor, update=update)
    db.session.refresh(proposal, ["updates"])
    return update


def record_payment(proposal: Proposal, actor, *, account_kind: str, day: dt.date, amount: int, category: str,
                   counterparty: str, description: str):
    """A payment for the project, posted in the estate's accounts citing it; from the maintenance
    fund it cites the proposal's passed matter-5 resolution as its authority (R-53)."""
    proposal.require(ProposalState.DELIVERY, ProposalState.COMPLETED)
    account = funds.get_account(proposal.estate, account_kind)
    if account is None:
        raise ProposalError("no_accounts")
    vote = vote_of(proposal)
    authority = funds.Authority()
    if account_kind == "maintenance_fund" and vote is not None:
        authority = funds.Authority(vote_id=vote.id, item=vote.items[0].key)
    try:
        return funds.add_entry(proposal.estate, account, day=day, direction="out", amount=amount, category=category,
                               counterparty=counterparty, description=description, authority=authority,
                               actor=actor, project_id=proposal.id)
    except FundError as refused:
        raise ProposalError(f"payment_{refused.reason}", **refused.details) from refused


@dataclass(frozen=True)
class Money:
    budget: int
    spent: int

    @property
    def remaining(self) -> int:
        return self.budget - self.spent


def money(proposal: Proposal) -> tuple[Money, list]:
    """Budget (the plan voted on), spent (entries citing the project, out less in) and the entries."""
    entries = list(funds.project_entries(proposal.estate, proposal.id))
    spent = sum(entry.amount if entry.direction == "out" else -entry.amount for entry in entries)
    voted = next((plan for plan in proposal.plans if plan.version == proposal.vote_plan_version), proposal.plan)
    return Money(voted.total_cost if voted else proposal.estimated_cost, spent), entries


def complete(proposal: Proposal, actor) -> None:
    """The project is done: owners in scope may rate it for 30 days."""
    proposal.move(ProposalState.COMPLETED, ProposalState.DELIVERY)
    proposal.completed_on, proposal.percent_complete = clock.today(), 100
    db.session.flush()
    record("proposals.completed", estate_id=proposal.estate_id, object_type="proposal", object_id=proposal.id,
           actor=actor)


def rating_open(proposal: Proposal) -> bool:
    return proposal.state == ProposalState.COMPLETED and proposal.completed_on is not None and \
        rules.rating_open(proposal.completed_on, clock.today())


def rate(proposal: Proposal, user, *, stars: int, comment: str) -> None:
    """One rating per owner key in the scope (R-15), 1 to 5, for 30 days after completion."""
    if not rating_open(proposal):
        raise ProposalError("rating_closed")
    if not 1 <= stars <= 5:
        raise ProposalError("bad_stars")
    keys = keys_of(user, scope_roll(proposal))
    if not keys:
        raise ProposalError("not_in_scope")
    done = set(db.session.scalars(select(Rating.voter).where(Rating.proposal_id == proposal.id)))
    new = [voter for voter in keys if voter.key not in done]
    if not new:
        raise ProposalError("already_rated")
    for voter in new:
        db.session.add(Rating(proposal_id=proposal.id, voter=voter.key, stars=stars, comment=comment.strip(),
                              user_id=user.id, rated_at=clock.now()))
    db.session.flush()
    record("proposals.rated", estate_id=proposal.estate_id, object_type="proposal", object_id=proposal.id,
           details={"stars": stars, "voters": len(new)}, actor=user)


def ratings(proposal: Proposal) -> tuple[rules.RatingSummary, list[str]]:
    found = db.session.scalars(select(Rating).where(Rating.proposal_id == proposal.id).order_by(Rating.id)).all()
    return rules.summarise_ratings(r.stars for r in found), [r.comment for r in found if r.comment]


def rated_by(proposal: Proposal, user) -> bool:
    keys = {voter.key for voter in keys_of(user, scope_roll(proposal))}
    return bool(keys & set(db.session.scalars(select(Rating.voter).where(Rating.proposal_id == proposal.id))))


# --- lists ---------------------------------------------------------------------------------------

def listing(estate: Estate, user, *, state: str | None = None, category: str | None = None) -> Sequence[Proposal]:
    """The estate's proposals owners and staff see (never another's draft), newest first."""
    query = select(Proposal).where(Proposal.estate_id == estate.id).where(
        (Proposal.state != ProposalState.DRAFT) | (Proposal.author_id == user.id))
    if state in {known.value for known in ProposalState}:
        query = query.where(Proposal.state == ProposalState(state))
    if category in rules.CATEGORIES:
        query = query.where(Proposal.category == category)
    return db.session.scalars(query.order_by(Proposal.id.desc())).all()


def merge_targets(proposal: Proposal) -> Sequence[Proposal]:
    return db.session.scalars(select(Proposal).where(
        Proposal.estate_id == proposal.estate_id, Proposal.id != proposal.id,
        Proposal.state.not_in([ProposalState.DRAFT, ProposalState.MERGED])).order_by(Proposal.id)).all()


def get(proposal_id: int) -> Proposal | None:
    return db.session.get(Proposal, proposal_id)


def file_of(proposal: Proposal, file_id: int):
    """A stored file the proposal shows (its photos, documents, the contract, a subsidy document)."""
    ids = {f.file_id for f in proposal.files} | {proposal.contract_file_id} | \
        {plan.subsidy_file_id for plan in proposal.plans}
    return files.get(file_id) if file_id in ids else None
