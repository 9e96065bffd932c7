"""Sign up (open, approval, invitation), log in, log out, settings and the language switcher."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models import ratelimits
from models.accounts import (
    Account,
    change_password,
    create_account,
    password_matches,
    usable_invitation,
)
from models.config import LOCALES
from models.errors import ModelError
from models.mail import (
    list_choices,
    list_domain,
    mail_mode,
    mail_stopped,
    periodic_choice,
    set_list_choice,
    set_mail_mode,
)
from models.pictures import set_avatar
from models.translation_requests import LANGUAGE_PAIRS, pairs_of, set_pairs
from models.zones import check_zone
from server import i18n
from server.clients import client_address
from server.params import query_text
from server.web.calendars import calendar_path
from server.web.forms import error_text, read_form, text, texts
from server.web.guards import flash, redirect, require_viewer, safe_next
from server.web.pages.pictures import picture_form
from server.web.render import render
from server.web.session import log_in, log_out

SIGNUP_LIMIT = 5


async def signup(request: Request) -> Response:
    settings = request.app.state.settings
    code = query_text(request, "invitation", "")
    invitation = await usable_invitation(code) if code else None
    closed = settings.registrations == "invitation" and invitation is None
    if request.method == "GET":
        return render(request, "signup.html", closed=closed, code=code, form={}, error=None)
    form = await read_form(request)
    values = {k: text(form, k) for k in ("username", "email", "display_name", "timezone")}
    if closed:
        return render(request, "signup.html", 403, closed=True, code=code, form=values, error=None)
    if not await ratelimits.hit(
        f"signup:{client_address(request)}", SIGNUP_LIMIT, timedelta(hours=1)
    ):
        error = i18n.gettext("Too many sign-ups from your address. Try again later.")
        return render(
            request, "signup.html", 429, closed=False, code=code, form=values, error=error
        )
    state = "pending" if settings.registrations == "approval" else "active"
    try:
        account = await create_account(
            values["username"],
            values["email"],
            text(form, "password"),
            state=state,
            locale=i18n.current_locale(),
            display_name=values["display_name"],
            timezone=values["timezone"].strip(),
        )
    except ModelError as exc:
        return render(
            request,
            "signup.html",
            400,
            closed=False,
            code=code,
            form=values,
            error=error_text(exc),
            error_field=exc.field,
        )
    if invitation is not None:
        invitation.used_by = account
        await invitation.save(update_fields=["used_by_id"])
    if state == "pending":
        flash(request, i18n.gettext("Thank you! An admin will review your sign-up."))
        return redirect("/")
    log_in(request, account)
    flash(request, i18n.gettext("Welcome to %(name)s!", name=settings.instance_name))
    return redirect("/")


async def login(request: Request) -> Response:
    next_url = safe_next(query_text(request, "next"))
    if request.method == "GET":
        return render(request, "login.html", next_url=next_url, username="", error=None)
    form = await read_form(request)
    username = text(form, "username").strip().lower()
    if not await ratelimits.login_allowed(client_address(request), username):
        error = i18n.gettext("Too many attempts. Wait a quarter of an hour and try again.")
        return render(request, "login.html", 429, next_url=next_url, username=username, error=error)
    account = await Account.get_or_none(username=username)
    if account is None or not password_matches(account, text(form, "password")):
        error = i18n.gettext("Wrong name or password.")
        return render(request, "login.html", 400, next_url=next_url, username=username, error=error)
    if account.state != "active":
        error = (
            i18n.gettext("Your sign-up is waiting for an admin's approval.")
            if account.state == "pending"
            else i18n.gettext("This account is suspended.")
        )
        return render(request, "login.html", 403, next_url=next_url, username=username, error=error)
    log_in(request, account)
    return redirect(safe_next(text(form, "next")))


async def logout(request: Request) -> Response:
    await read_form(request)
    log_out(request)
    return redirect("/")


async def _settings(
    request: Request, viewer: Account, status: int = 200, error: str | None = None
) -> Response:
    settings = request.app.state.settings
    return render(
        request,
        "settings.html",
        status,
        error=error,
        mail_mode=await mail_mode(viewer),
        periodic=await periodic_choice(viewer),
        mail_available=bool(settings.smtp_url),
        mail_stopped=await mail_stopped(viewer),
        list_domain=list_domain(settings),
        lists=await list_choices(viewer),
        calendar=calendar_path(settings.secret_key, viewer),
        language_pairs=LANGUAGE_PAIRS,
        my_pairs=await pairs_of(viewer),
    )


async def settings_page(request: Request) -> Response:
    viewer = require_viewer(request)
    if request.method == "GET":
        return await _settings(request, viewer)
    form = await read_form(request)
    action = text(form, "action")
    try:
        if action == "mail":
            await set_mail_mode(viewer, text(form, "mail"), text(form, "periodic"))
            flash(request, i18n.gettext("Your settings were saved."))
        elif action == "mail_list":
            await set_list_choice(
                viewer, text(form, "list"), text(form, "mode"), text(form, "started")
            )
            flash(request, i18n.gettext("Your settings were saved."))
        elif action == "translations":
            await set_pairs(viewer, texts(form, "pairs"))
            flash(request, i18n.gettext("Your settings were saved."))
        elif action == "password":
            await change_password(
                viewer, text(form, "current_password"), text(form, "new_password")
            )
            flash(request, i18n.gettext("Your password was changed."))
        else:
            viewer.display_name = text(form, "display_name").strip()[:100]
            viewer.bio = text(form, "bio").strip()[:2000]
            locale = text(form, "locale")
            viewer.locale = locale if locale in LOCALES else ""
            if "timezone" in form:
                viewer.timezone = check_zone(text(form, "timezone").strip()).key
            await viewer.save(update_fields=["display_name", "bio", "locale", "timezone"])
            flash(request, i18n.gettext("Your settings were saved."))
    except ModelError as exc:
        return await _settings(request, viewer, 400, error_text(exc))
    return redirect("/settings")


async def avatar_form(request: Request) -> Response:
    viewer = require_viewer(request)
    try:
        await set_avatar(viewer, request.app.state.settings.data_dir, await picture_form(request))
    except ModelError as exc:
        return await _settings(request, viewer, exc.status, error_text(exc))
    flash(request, i18n.gettext("Your picture was saved."))
    return redirect("/settings")


async def switch_language(request: Request) -> Response:
    """The switcher: saved on the account when signed in, in a cookie otherwise."""
    lang = query_text(request, "to", "")
    response = redirect(safe_next(query_text(request, "next")))
    if lang not in LOCALES:
        return response
    viewer = getattr(request.state, "viewer", None)
    if viewer is not None:
        viewer.locale = lang
        await viewer.save(update_fields=["locale"])
    response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


routes = [
    Route("/signup", signup, methods=["GET", "POST"]),
    Route("/login", login, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/settings", settings_page, methods=["GET", "POST"]),
    Route("/settings/avatar", avatar_form, methods=["POST"]),
    Route("/language", switch_language),
]
