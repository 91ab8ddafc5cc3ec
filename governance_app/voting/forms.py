from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, DateTimeLocalField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from ..core.forms import FlaskForm  # the platform's: refuses control characters

MATTERS = {
    1: _l("1 · Rules of procedure"),
    2: _l("2 · Management rules"),
    3: _l("3 · Electing or replacing committee members"),
    4: _l("4 · Hiring or dismissing the property-service company"),
    5: _l("5 · Using the maintenance fund"),
    6: _l("6 · Raising the maintenance fund"),
    7: _l("7 · Rebuilding or reconstructing buildings and facilities"),
    8: _l("8 · Changing the use of common parts or using them for business"),
    9: _l("9 · Other major matters"),
}


class VoteForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(_l("Give the vote a title.")), Length(max=200)])
    description = TextAreaField(_l("What it is about"), validators=[Optional(), Length(max=5000)])
    opening_date = DateField(_l("Voting opens on"), validators=[InputRequired(_l("Choose the opening day."))])
    last_day = DateField(_l("Last day of voting (until 24:00)"), validators=[InputRequired(_l("Choose the last day."))])
    buildings = StringField(_l("Only these buildings (optional, separated by commas)"),
                            validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Create draft"))


class EditVoteForm(VoteForm):
    submit = SubmitField(_l("Save changes"))


class VotingSettingsForm(FlaskForm):
    """The estate's settings for its votes, copied to each new vote."""

    two_staff_paper = BooleanField(_l("Paper ballots need a second staff member to confirm them"))
    submit = SubmitField(_l("Save"))


class ItemForm(FlaskForm):
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    matter = SelectField(_l("Matter (Civil Code art. 278)"), coerce=int, validators=[Optional()])
    title = StringField(_l("Title"), validators=[InputRequired(_l("Give the item a title.")), Length(max=200)])
    description = TextAreaField(_l("Details"), validators=[Optional(), Length(max=5000)])
    seats = IntegerField(_l("Seats (elections)"), validators=[Optional(), NumberRange(min=1, max=11)])
    alternates = IntegerField(_l("Alternates (elections)"), validators=[Optional(), NumberRange(min=0, max=11)])
    by_election = BooleanField(_l("By-election for vacant seats (R-43): 1 seat up to the vacancies"))
    major_or_fee = BooleanField(_l("Major works or a fee change (matters 5 and 9; R-47)"))
    options = TextAreaField(_l("Options, one per line (choices)"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Add item"))


class EditItemForm(FlaskForm):
    """An item of a draft, corrected; its kind stays."""

    matter = ItemForm.matter
    title = ItemForm.title
    description = ItemForm.description
    seats = ItemForm.seats
    alternates = ItemForm.alternates
    options = ItemForm.options
    submit = SubmitField(_l("Save changes"))


class CandidateForm(FlaskForm):
    name = StringField(_l("Candidate's name"), validators=[InputRequired(_l("Enter the name.")), Length(max=100)])
    nomination = SelectField(_l("Nominated by"), validators=[InputRequired()])
    statement = TextAreaField(_l("Qualification statement"), validators=[Optional(), Length(max=3000)])
    pledge_signed = BooleanField(_l("The candidate has signed the pledge of duty and declared no disqualification (R-44)"))
    photo = FileField(_l("Photo (optional; JPEG or PNG, at most 2 MB)"))
    submit = SubmitField(_l("Add candidate"))


class EditCandidateForm(CandidateForm):
    remove_photo = BooleanField(_l("Remove the photo"))
    submit = SubmitField(_l("Save changes"))


class BoardSearchForm(FlaskForm):
    """Find one's tracker on the bulletin board: its first characters are enough."""

    tracker = StringField(_l("Your tracker, or its first characters"),
                          validators=[Optional(), Length(min=4, max=64, message=_l("Type at least 4 characters of the tracker.")),
                                      Regexp(r"^\s*[0-9a-fA-F]+\s*$", message=_l("A tracker has only the digits 0-9 and the letters a-f."))])
    submit = SubmitField(_l("Find"))


class ConfirmBallotForm(FlaskForm):
    """The code that casts a ballot. Its page carries the request's CSRF token with
    ``csrf_token()``, and CSRFProtect checks it before any view runs (``extensions.csrf``), so the
    form does not sign a second token on every cast it reads."""

    class Meta:
        csrf = False

    code = StringField(_l("6-digit code from your authenticator app"),
                       validators=[InputRequired(_l("Enter the code.")), Length(max=20)])
    submit = SubmitField(_l("Cast my ballot"))


class PaperForm(FlaskForm):
    unit = StringField(_l("Unit of the voter (e.g. 3-502)"), validators=[InputRequired(_l("Enter the unit.")),
                                                                          Length(max=40)])
    received_at = DateTimeLocalField(_l("Received at"), format="%Y-%m-%dT%H:%M",
                                     validators=[InputRequired(_l("Enter when the ballot was received."))])
    signed = BooleanField(_l("The ballot is signed by the owner"))
    signer_matches = BooleanField(_l("The signer can be matched to the unit"))
    scan = FileField(_l("Scan or photo of the ballot (JPEG, PNG or PDF)"),
                     validators=[FileRequired(_l("Attach the scan of the ballot."))])
    submit = SubmitField(_l("Record paper ballot"))


class ProxyForm(FlaskForm):
    unit = StringField(_l("Unit of the owner giving the proxy"), validators=[InputRequired(_l("Enter the unit.")),
                                                                             Length(max=40)])
    proxy_login = StringField(_l("The proxy's login (phone number)"),
                              validators=[InputRequired(_l("Enter the proxy's login.")), Length(max=64)])
    scope = TextAreaField(_l("Scope of the authority"), validators=[Optional(), Length(max=2000)])
    valid_from = DateField(_l("Valid from"), validators=[InputRequired(_l("Enter the start of the term."))])
    valid_until = DateField(_l("Valid until"), validators=[InputRequired(_l("Enter the end of the term."))])
    document = FileField(_l("Signed authority (JPEG, PNG or PDF)"),
                         validators=[FileRequired(_l("Attach the signed authority."))])
    submit = SubmitField(_l("Record proxy authority"))


# --- what a sent form says, as plain values for the services ----------------------------------------

def split_buildings(text: str | None) -> list[str] | None:
    """Building labels separated by commas (ASCII or full-width); None for all buildings."""
    return [b.strip() for b in (text or "").replace("，", ",").split(",") if b.strip()] or None


def vote_values(form: VoteForm) -> dict:
    """A vote's fields (creating and correcting a draft share them)."""
    return {"title": form.title.data, "description": form.description.data or "",
            "opening_date": form.opening_date.data, "last_day": form.last_day.data,
            "buildings": split_buildings(form.buildings.data)}


def item_values(form: ItemForm | EditItemForm) -> dict:
    """An item's fields that adding and correcting share (its kind is chosen once, when added)."""
    return {"matter": form.matter.data or 0, "title": form.title.data, "description": form.description.data or "",
            "seats": form.seats.data or 0, "alternates": form.alternates.data or 0,
            "options": (form.options.data or "").splitlines()}
