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
