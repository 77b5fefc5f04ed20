from django.urls import path

from . import views

app_name = "backoffice"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", views.StaffLogoutView.as_view(), name="logout"),
    path("clients/", views.client_list, name="client-list"),
    path("clients/create/", views.client_create, name="client-create"),
    path("clients/quick-create/", views.client_quick_create, name="client-quick-create"),
    path("clients/regions/", views.region_options, name="region-options"),
    path("clients/<uuid:client_id>/", views.client_summary, name="client-summary"),
    path("clients/<uuid:client_id>/profile/", views.client_profile, name="client-profile"),
    path("clients/<uuid:client_id>/addresses/new/", views.address_edit, name="address-create"),
    path("clients/<uuid:client_id>/addresses/<uuid:address_id>/", views.address_edit, name="address-edit"),
    path("clients/<uuid:client_id>/addresses/<uuid:address_id>/delete/", views.address_delete,
         name="address-delete"),
    path("users/", views.users, name="user-list"),
]
