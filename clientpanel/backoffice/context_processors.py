from clientpanel.accounts.roles import staff_areas


def quick_create(request):
    """The areas the staff member holds, on every staff page (the menu and the top bar's buttons).
    The Quick Create form itself is fetched when its dialog opens: its country list alone took
    ~100 ms to render into every page."""
    user = getattr(request, "user", None)
    if user is None or not (user.is_authenticated and user.is_staff):
        return {}
    return {"areas": staff_areas(user)}
