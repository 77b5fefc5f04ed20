"""Logins an invitation made and nobody used (docs/decisions.md, "Unused logins"): an invitation
makes a login for its address at once; until somebody uses it, it must not block the address. Such
a login — no usable password, never signed in, no two-factor, no API token, not staff, active, not
self-registered, owning no client — is removed with its last client link, may be linked by another
client's invitation (one person invited by two businesses: the portal lets a user switch between its
clients), and is taken as the owner of a client staff create for its address (never of a portal
sign-up's). A login somebody used, or a client's owner, is never removed, never linked by a
stranger, never handed to a new client. The helpers run inside the caller's transaction, the user
row locked where they decide."""

from __future__ import annotations

from django.db.models import SET_NULL, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy

from clientpanel.accounts.actors import ActorLike
from clientpanel.accounts.models import User, normalize_email
from clientpanel.audit.services import audit_record
from clientpanel.core.errors import FieldErrors, ValidationFailed

from ..models import ClientUser
from ..selectors import clients_visible_to

# accounts.services.clean_email's words
ALREADY_EXISTS = gettext_lazy("A user with this email address already exists.")


def _acted_q() -> Q:
    """Logins some record names as who did something: an audit event's actor, a ledger entry's or a
    document's author, a file's uploader… — every nullable reference a deletion would empty, but a
    message's recipient (`user`: sent to it, not done by it). Staff acting as a login (Login as
    Owner) use it so, and deleting it would erase who did what — or be refused: ledger entries are
    append-only, and PostgreSQL answered the removal with an error."""
    acted = Q()
    for relation in User._meta.get_fields(include_hidden=True):  # hidden: related_name="+" ones too
        if relation.auto_created and not relation.concrete and getattr(relation, "on_delete", None) is SET_NULL \
                and relation.field.name != "user":
            acted |= Q(Exists(relation.related_model._base_manager.filter(**{relation.field.name: OuterRef("pk")})))
    return acted


def _used_q() -> Q:
    # An unusable password starts with "!" (django.contrib.auth.hashers.UNUSABLE_PASSWORD_PREFIX).
    return (~Q(password__startswith="!") | Q(last_login__isnull=False) | Q(is_staff=True) | Q(is_superuser=True)
            | Q(is_active=False) | Q(self_registered=True) | Q(totp_confirmed_at__isnull=False)
            | Q(api_tokens__isnull=False) | Q(owned_clients__isnull=False) | _acted_q())


def is_unused(user: User) -> bool:
    """Whether nobody ever used this login and it owns no client (an owner's login is its client's,
    made with it: taking it over would make a duplicate of that client, not free an address). Read
    from the database: a copy in memory may be stale."""
    return not User.objects.filter(pk=user.pk).filter(_used_q()).exists()


def unused_login(email: str, *, lock: bool = False) -> User | None:
    """The unused login with this address (as cleaned), None when it has no login or a used one."""
    users = User.objects.filter(email=normalize_email(email)) if email else User.objects.none()
    if lock:
        users = users.select_for_update()
    user = users.first()
    return user if user is not None and is_unused(user) else None


def _adoptable(email: str, actor: ActorLike, *, lock: bool = False) -> User | None:
    """The unused login with this address that the actor may make a new client's owner: linked to no
    client the actor does not see. Another client's invitation stays that client's, its words for
    the person too; a staff member limited to other clients gets "already exists", as for any login."""
    user = unused_login(email, lock=lock)
    if user is None:
        return None
    hidden = ClientUser.objects.filter(user_id=user.pk).exclude(client__in=clients_visible_to(actor))
    return None if hidden.exists() else user


def clean_owner_email(email: str, errors: FieldErrors, actor: ActorLike) -> None:
    """A new client's owner address: refused when a login has it that the actor may not take over
    (owner_for_new_client)."""
    if email and "email" not in errors.fields and User.objects.filter(email=normalize_email(email)).exists() \
            and _adoptable(email, actor) is None:
        errors.add("email", str(ALREADY_EXISTS))


def owner_for_new_client(email: str, password: str | None, *, actor: ActorLike, adopt: bool, firstname: str,
                         lastname: str, phone: str, language: str) -> User:
    """The owner of a new client: a new login, or (adopt: staff create it, not a portal sign-up —
    whose own password would open another client's invitation) the unused one the address has that
    the actor may take (_adoptable), locked and checked again; it takes the new client's details and
    the password given, if any."""
    if not adopt or not User.objects.filter(email=normalize_email(email)).exists():
        return User.objects.create_user(email, password, firstname=firstname, lastname=lastname, phone=phone,
                                        language=language)
    user = _adoptable(email, actor, lock=True)
    if user is None:  # used since the check (a password chosen from an invitation's link)
        raise ValidationFailed.from_fields({"email": [str(ALREADY_EXISTS)]})
    before = {"name": user.full_name, "phone": user.phone, "language": user.language}
    user.firstname, user.lastname, user.phone, user.language = firstname, lastname, phone, language
    if password:
        user.set_password(password)
    user.save()
    after = {"name": user.full_name, "phone": user.phone, "language": user.language}
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if password:
        changes["password"] = [None, "set"]
    if changes:
        audit_record(action="user.update", target=user, object_label=user.email, changes=changes)
    return user


def login_goes_with(link: ClientUser) -> bool:
    """Whether the link's login goes when the link is removed: nobody used it and it belongs to no
    other client (an invitation withdrawn), so its address is free again. Locks the user row first:
    a password chosen from the invitation's link, or another client's invitation, at that moment
    waits, and keeps the login."""
    user = User.objects.select_for_update().filter(pk=link.user_id).first()
    return (user is not None and is_unused(user)
            and not ClientUser.objects.filter(user_id=user.pk).exclude(pk=link.pk).exists())
