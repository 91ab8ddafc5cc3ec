from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length, Optional, Regexp

from ..core.forms import FlaskForm  # the platform's: refuses control characters

CODE_FIELD = dict(validators=[InputRequired(_l("Enter the code.")), Length(max=20)])


class LoginForm(FlaskForm):
    login = StringField(_l("Phone number or user name"), validators=[InputRequired(_l("Enter your login.")),
                                                                      Length(max=64)])
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password.")),
                                                         Length(max=128)])
    submit = SubmitField(_l("Next"))


class SecondFactorForm(FlaskForm):
    code = StringField(_l("6-digit code from your authenticator app, or a recovery code"), **CODE_FIELD)
    submit = SubmitField(_l("Sign in"))


class ActivationForm(FlaskForm):
    unit = StringField(_l("Unit (as on the letter, e.g. 3-502)"),
                       validators=[InputRequired(_l("Enter the unit.")), Length(max=40)])
    code = StringField(_l("Activation code"), validators=[InputRequired(_l("Enter the activation code.")),
                                                          Length(max=20)])
    id_last4 = StringField(_l("Last 4 characters of the owner's id document"),
                           validators=[InputRequired(_l("Enter the last 4 characters.")),
                                       Length(min=4, max=4, message=_l("Enter exactly 4 characters."))])
    submit = SubmitField(_l("Next"))


class NewPasswordMixin:
    password = PasswordField(_l("New password (at least 8 characters)"),
                             validators=[InputRequired(_l("Choose a password.")), Length(max=128)])
    confirm = PasswordField(_l("New password again"),
                            validators=[InputRequired(_l("Type the password again.")),
                                        EqualTo("password", _l("The two passwords differ."))])


class AccountForm(NewPasswordMixin, FlaskForm):
    login = StringField(_l("Mobile phone number (your login)"),
                        validators=[InputRequired(_l("Enter your mobile phone number.")),
                                    Regexp(r"^\s*1\d{2}[\s-]?\d{4}[\s-]?\d{4}\s*$",
                                           message=_l("Enter an 11-digit mobile number starting with 1."))])
    submit = SubmitField(_l("Create my account"))


class NewPasswordForm(NewPasswordMixin, FlaskForm):
    """After a reset: an owner's letter, or a staff account's reset code, was accepted."""

    submit = SubmitField(_l("Save the new password"))


class ResetCodeForm(FlaskForm):
    login = StringField(_l("Your login"), validators=[InputRequired(_l("Enter your login.")), Length(max=64)])
    code = StringField(_l("Reset code"), validators=[InputRequired(_l("Enter the reset code.")), Length(max=20)])
    submit = SubmitField(_l("Next"))


class EnrolForm(FlaskForm):
    code = StringField(_l("The 6-digit code your app shows now"), **CODE_FIELD)
    submit = SubmitField(_l("Confirm"))


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current = PasswordField(_l("Current password"), validators=[InputRequired(_l("Enter your password."))])
    submit = SubmitField(_l("Change password"))


class StepUpForm(FlaskForm):
    step_up_code = StringField(_l("6-digit code from your authenticator app"), **CODE_FIELD)
    step_up_submit = SubmitField(_l("Confirm and continue"))


class CreateUserForm(NewPasswordMixin, FlaskForm):
    login = StringField(_l("Login"), validators=[InputRequired(), Length(min=3, max=64),
                                                 Regexp(r"^[A-Za-z0-9_.@-]+$", message=_l(
                                                     "Use letters, digits and . _ @ - only."))])
    display_name = StringField(_l("Name"), validators=[InputRequired(), Length(max=100)])
    role = SelectField(_l("Role"), validators=[InputRequired()])
    scope = SelectField(_l("Scope"), validators=[InputRequired()])
    submit = SubmitField(_l("Create account"))


class GrantForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[InputRequired()])
    scope = SelectField(_l("Scope"), validators=[InputRequired()])
    submit = SubmitField(_l("Grant role"))


class LettersForm(FlaskForm):
    voters = HiddenField(validators=[Optional()])
    reissue = BooleanField(_l("Also replace codes already issued and not yet used"))
    submit = SubmitField(_l("Generate activation letters"))
    pdf = SubmitField(_l("Generate as PDF"))
