"""Settings: staff and roles (with another staff member's password and second factor reset),
client groups, and the global activity log."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.accounts import selectors as account_selectors
from clientpanel.accounts import services as account_services
from clientpanel.accounts.roles import AREAS, MANAGE_STAFF, SETTINGS
from clientpanel.audit.selectors import AUDIT_DEFAULT_SORT, AUDIT_SORTS, audit_events
from clientpanel.clients import selectors as client_selectors
from clientpanel.clients import services as client_services
from clientpanel.clients.models import Client
from clientpanel.core import errors
from clientpanel.ui.audit_values import audit_names_attach
from clientpanel.ui.sorting import list_sort

from ..access import area_required, sudo_required
from ..feedback import run_and_report
from ..forms.account import NewPasswordForm
from ..forms.settings import GroupForm, RoleForm, StaffCreateForm, StaffEditForm
from ..query import query_text, refuses_bad_query
from .common import form_page, found_or_404, page_of

# The activity log's sortable headers (audit.selectors.AUDIT_SORTS).
AUDIT_COLUMNS = [("when", gettext_lazy("When")), ("action", gettext_lazy("Action"))]


@area_required(MANAGE_STAFF)
def staff_list(request: HttpRequest) -> HttpResponse:
    staff = account_selectors.staff_visible_to(request.user).prefetch_related("groups").order_by("email")
    roles = Group.objects.prefetch_related("permissions").order_by("name")
    return render(request, "backoffice/settings/staff_list.html", {
        "staff_members": staff, "roles": roles, "area_labels": AREAS})


@area_required(MANAGE_STAFF)
@sudo_required
@require_http_methods(["GET", "POST"])
def staff_create(request: HttpRequest) -> HttpResponse:
    limited = request.user.limited_to_assigned_clients and not request.user.is_superuser
    form = StaffCreateForm(request.POST or None, initial={"roles": ["Support"], "limited_to_assigned_clients": limited})
    return form_page(request, form, "backoffice/settings/staff_form.html", {"member": None},
                     save=lambda data: account_services.staff_create(actor=request.user, **data),
                     success=lambda member: _("Staff member %(email)s created.") % {"email": member.email},
                     then=lambda member: redirect("backoffice:staff-edit", staff_id=member.id))


@area_required(MANAGE_STAFF)
@sudo_required
@require_http_methods(["GET", "POST"])
def staff_edit(request: HttpRequest, staff_id) -> HttpResponse:
    member = found_or_404(lambda: account_selectors.staff_get(actor=request.user, staff_id=staff_id),
                          "Staff member not found.")
    assigned = Client.objects.filter(staff_assignments__staff=member).order_by("number")
    itself = member.pk == request.user.pk
    form = StaffEditForm(request.POST or None, itself=itself, initial={
        "firstname": member.firstname, "lastname": member.lastname, "is_active": member.is_active,
        "roles": list(member.groups.values_list("name", flat=True)),
        "limited_to_assigned_clients": member.limited_to_assigned_clients,
        "assigned_clients": "\n".join(assigned.values_list("number", flat=True)),
    })

    def save(cleaned: dict) -> None:
        data = dict(cleaned)
        numbers = [n.strip() for n in data.pop("assigned_clients").replace(",", "\n").splitlines() if n.strip()]
        found_or_404(lambda: client_services.staff_member_update(actor=request.user, staff_id=member.pk, data=data,
                                                                 client_numbers=numbers), "Staff member not found.")

    return form_page(request, form, "backoffice/settings/staff_form.html",
                     {"member": member, "assigned": assigned, "itself": itself,
                      "credentials_refusal": account_selectors.staff_credentials_refusal(actor=request.user,
                                                                                          staff=member)},
                     save=save, mapping={"clients": "assigned_clients"},
                     success=_("Staff member %(email)s saved.") % {"email": member.email},
                     then=lambda saved: redirect("backoffice:staff-edit", staff_id=member.pk))


def _staff_for_credentials(request: HttpRequest, staff_id):
    """The staff member whose password or second factor the page resets: 404 when the staff member
    does not see it, 403 with the reason when it may not reset them (its own, a superuser's, or
    those of somebody holding more than it does)."""
    member = found_or_404(lambda: account_selectors.staff_get(actor=request.user, staff_id=staff_id),
                          "Staff member not found.")
    refusal = account_selectors.staff_credentials_refusal(actor=request.user, staff=member)
    if refusal is not None:
        raise PermissionDenied(refusal)
    return member


def _refused_as_403(action):
    """A service's refusal answered as the page's own would be: 403 or 404, not a 500."""
    try:
        return action()
    except errors.PermissionDenied as refused:
        raise PermissionDenied(refused.message) from None
    except errors.NotFound:
        raise Http404("Staff member not found.") from None


@sensitive_post_parameters("password", "password_again")
@area_required(MANAGE_STAFF)
@sudo_required(on_open=True)
@require_http_methods(["GET", "POST"])
def staff_password_reset(request: HttpRequest, staff_id) -> HttpResponse:
    """Set a new password for another staff member (Settings → Staff → the member → Set a new
    password); its sessions end and it is told by e-mail."""
    member = _staff_for_credentials(request, staff_id)
    return form_page(request, NewPasswordForm(request.POST or None), "backoffice/settings/staff_password.html",
                     {"member": member},
                     save=lambda data: _refused_as_403(lambda: account_services.staff_password_reset(
                         actor=request.user, staff_id=member.pk, new_password=data["password"])),
                     success=_("New password of %(email)s set; their sessions have ended.") % {"email": member.email},
                     then=lambda saved: redirect("backoffice:staff-edit", staff_id=member.pk))


@area_required(MANAGE_STAFF)
@sudo_required
@require_POST
def staff_2fa_reset(request: HttpRequest, staff_id) -> HttpResponse:
    """Forget another staff member's second factor; it sets one up again after its next login."""
    member = _staff_for_credentials(request, staff_id)
    try:
        _refused_as_403(lambda: account_services.staff_2fa_reset(actor=request.user, staff_id=member.pk))
    except errors.ValidationFailed as nothing:
        messages.error(request, nothing.message)
    else:
        messages.success(request, _("Two-factor authentication of %(email)s reset; they can set it up again after "
                                    "their next login.") % {"email": member.email})
    return redirect("backoffice:staff-edit", staff_id=member.pk)


@area_required(MANAGE_STAFF)
@sudo_required
@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, role_id: int | None = None) -> HttpResponse:
    role = get_object_or_404(Group, pk=role_id) if role_id is not None else None
    initial = {"name": role.name, "areas": list(role.permissions.values_list("codename", flat=True))} if role else {}
    form = RoleForm(request.POST or None, initial=initial)
    return form_page(request, form, "backoffice/settings/role_form.html", {"role": role},
                     save=lambda data: account_services.role_save(actor=request.user, name=data["name"],
                                                                  areas=data["areas"], role_id=role_id),
                     success=_("Role saved."), then=lambda saved: redirect("backoffice:staff-list"))


@area_required(SETTINGS)
def group_list(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/settings/group_list.html",
                  {"groups": client_selectors.group_list(actor=request.user)})


@area_required(SETTINGS)
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, group_id: int | None = None) -> HttpResponse:
    group = None
    if group_id is not None:
        group = found_or_404(lambda: client_selectors.group_get(group_id=group_id), "Group not found.")
    initial = {"colour": "#6c757d"}
    if group is not None:
        initial = {"name": group.name, "colour": group.colour, "currency": group.currency,
                   "language": group.language, "payment_terms_days": group.payment_terms_days or "",
                   "tax_exempt": {None: "", True: "true", False: "false"}[group.tax_exempt],
                   "reminders_enabled": {None: "", True: "true", False: "false"}[group.reminders_enabled],
                   "reminder_days_before": "" if group.reminder_days_before is None else group.reminder_days_before,
                   "reminder_days_overdue": "" if group.reminder_days_overdue is None else group.reminder_days_overdue}
    return form_page(request, GroupForm(request.POST or None, initial=initial), "backoffice/settings/group_form.html",
                     {"group": group},
                     save=lambda data: client_services.group_save(actor=request.user, data=data, group_id=group_id),
                     success=_("Group saved."), then=lambda saved: redirect("backoffice:group-list"))


@area_required(SETTINGS)
@require_POST
def group_delete(request: HttpRequest, group_id: int) -> HttpResponse:
    run_and_report(request, lambda: client_services.group_delete(actor=request.user, group_id=group_id),
                   success=_("Group deleted."), missing=_("That group no longer exists."))
    return redirect("backoffice:group-list")


@area_required(SETTINGS)
@refuses_bad_query
def activity_log(request: HttpRequest) -> HttpResponse:
    filters = {"action": query_text(request, "action", max_length=60),
               "actor_kind": query_text(request, "actor_kind", max_length=20), "search": query_text(request)}
    # A sort the log does not offer: its default order, and the reason above it (as the directory).
    sorting = list_sort(query=request.GET, sorts=AUDIT_SORTS, default=AUDIT_DEFAULT_SORT, columns=AUDIT_COLUMNS)
    events = audit_events(sort=sorting.value, **filters)
    if request.user.limited_to_assigned_clients and not request.user.is_superuser:
        events = events.filter(client_id__in=client_selectors.clients_visible_to(request.user).values("id"))
    page = page_of(request, events, 50)
    page.object_list = audit_names_attach(page.object_list)
    query = urlencode({"action": filters["action"], "actor_kind": filters["actor_kind"], "q": filters["search"],
                       "sort": sorting.value})
    return render(request, "backoffice/settings/activity_log.html", {
        "title": _("Activity log"), "section": _("Settings"), "page": page, "filters": filters, "query": query,
        "sorting": sorting})
