"""Staff and their rights: every admin and manager account, creating one, changing names,
role and the active switch, and a password-reset link or a temporary password."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ... import setup
from ...extensions import db
from ...kernel.errors import Conflict, Invalid
from ...models import Role, User
from ...setup.staff import STAFF_ROLES
from ..forms import Form
from . import bp
from .staff_forms import PASSWORD_FIELDS, NewStaffForm, StaffForm, TemporaryPasswordForm


def staff_user(user_id: int) -> User:
    """The staff account (admin or manager); NotFound (404) for an unknown id or a client's."""
    return setup.staff_account(db.session, user_id)


@bp.get("/staff/")
def staff():
    """Every staff account, admins first, by username: role, active, temporary password."""
    accounts = db.session.scalars(
        select(User).where(User.role.in_(STAFF_ROLES)).order_by(User.role, User.username_key)
    ).all()
    return render_template("admin/staff.html", accounts=accounts)


@bp.route("/staff/new", methods=["GET", "POST"])
def new_staff():
    """Create an admin or manager account with a first password; refusals (a username or
    email taken, a short password) beside their fields."""
    form = NewStaffForm(role=Role.MANAGER.value)
    if form.validate_on_submit():
        try:
            user = setup.create_user(db.session, **form.fields(), actor=current_user)
        except Invalid as invalid:
            form.show_refusal(invalid, PASSWORD_FIELDS)
        else:
            flash(
                f"{user.full_name} can now sign in as {role_words(user.role)} with the username "
                f"“{user.username}” and the password you gave; pass it on safely.",
                "success",
            )
            return redirect(url_for("admin.staff"))
    page = render_template("admin/staff_form.html", form=form, account=None)
    return page, 400 if form.errors or form.form_errors else 200


@bp.route("/staff/<int:user_id>/edit", methods=["GET", "POST"])
def edit_staff(user_id: int):
    """Change a staff account's names, email, username, role and active switch; a refusal
    beside its field (400), or above the form when it would leave no active admin (409)."""
    user = staff_user(user_id)
    form, status = StaffForm(obj=user), 200
    if form.validate_on_submit():
        was = (user.role, user.active)
        try:
            setup.update_staff_user(db.session, user, form.fields(), actor=current_user)
        except Invalid as invalid:
            form.show_refusal(invalid)
        except Conflict as conflict:
            form.form_errors.append(conflict.message)
            status = 409
        else:
            flash(what_changed(user, *was), "success")
            return redirect(url_for("admin.staff"))
    if status == 200 and (form.errors or form.form_errors):
        status = 400
    return render_template("admin/staff_form.html", form=form, account=user), status


def role_words(role: Role) -> str:
    """ "an admin" or "a manager"."""
    return "an admin" if role is Role.ADMIN else "a manager"


def what_changed(user: User, role: Role, active: bool) -> str:
    """What saving a staff account did, in words: a new role, switched off or on."""
    name, said = user.full_name, []
    if user.role is not role:
        said.append(
            f"{name} is now {role_words(user.role)}; their sessions and API tokens carry on "
            f"with {user.role.value} rights."
        )
    if active and not user.active:
        said.append(f"{name} is switched off: signed out everywhere, their API tokens ended.")
    elif user.active and not active:
        said.append(f"{name} is switched on again and may sign in.")
    return " ".join(said) or f"{name}'s account is saved."


@bp.route("/staff/<int:user_id>/password", methods=["GET", "POST"])
def staff_password(user_id: int):
    """Email a staff account a password-reset link, or set a temporary password they must
    change at their next sign-in (two forms, the button says which); either ends every
    sign-in and API token of theirs now."""
    user = staff_user(user_id)
    reset, temporary = Form(prefix="reset"), TemporaryPasswordForm(prefix="temporary")
    action, done = request.form.get("action"), None
    if request.method == "POST" and action not in ("reset", "temporary"):
        abort(400)
    if action == "reset" and reset.validate_on_submit():
        done = send_reset_link(reset, user)
    elif action == "temporary" and temporary.validate_on_submit():
        done = give_temporary_password(temporary, user)
    if done:
        flash(f"{done} {user.full_name}'s sessions and API tokens have ended.", "success")
        return redirect(url_for("admin.staff"))
    failed = any(form.errors or form.form_errors for form in (reset, temporary))
    page = render_template(
        "admin/staff_password.html", account=user, reset=reset, temporary=temporary
    )
    return page, 400 if failed else 200


def send_reset_link(form: Form, user: User) -> str | None:
    """Email `user` a reset link: what was done, in words; None with the refusal on the form."""
    try:
        sent = setup.send_password_reset(db.session, user, actor=current_user)
    except Invalid as invalid:
        form.show_refusal(invalid)
        return None
    if not sent:
        return f"The email to {user.email} could not be sent (see the server's log); try again."
    return f"A link to choose a new password went to {user.email}."


def give_temporary_password(form: TemporaryPasswordForm, user: User) -> str | None:
    """Give `user` the form's temporary password: what was done, in words; None with the
    refusal beside its field."""
    try:
        setup.set_temporary_password(
            db.session, user, form.password.data, form.confirm.data, actor=current_user
        )
    except Invalid as invalid:
        form.show_refusal(invalid, PASSWORD_FIELDS)
        return None
    return (
        f"{user.full_name} has a temporary password: they choose their own at their next sign-in."
    )
