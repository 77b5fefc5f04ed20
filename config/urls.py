from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from clientpanel.api.urls import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="backoffice:dashboard", permanent=False)),
    path("staff/", include("clientpanel.backoffice.urls")),
    path("api/v1/", api.urls),
    path("portal/", include("clientpanel.portal.urls")),
    path("django-admin/", admin.site.urls),
]

# Styled error pages (DEBUG off, as `make run` serves): inside the panel for signed-in staff, with a
# way back to the dashboard or the portal's home and to the previous page (clientpanel/ui/errors.py).
handler400 = "clientpanel.ui.errors.bad_request"
handler403 = "clientpanel.ui.errors.permission_denied"
handler404 = "clientpanel.ui.errors.page_not_found"
handler500 = "clientpanel.ui.errors.server_error"
