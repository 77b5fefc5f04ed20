from clientpanel.accounts.roles import staff_areas

from .forms.clients import QuickCreateForm


def quick_create(request):
    """The top bar's Quick Create form and the areas the staff member holds, on every staff page."""
    user = getattr(request, "user", None)
    if user is None or not (user.is_authenticated and user.is_staff):
        return {}
    return {"quick_form": QuickCreateForm(prefix="quick"), "areas": staff_areas(user)}
