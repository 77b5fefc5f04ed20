from django.urls import path

from . import account_views, settings_views, user_views, views

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
    path("clients/<uuid:client_id>/users/", user_views.client_users, name="client-users"),
    path("clients/<uuid:client_id>/users/associate/", user_views.client_user_associate, name="client-user-associate"),
    path("clients/<uuid:client_id>/users/candidates/", user_views.user_candidates, name="client-user-candidates"),
    path("clients/<uuid:client_id>/users/<uuid:user_id>/", user_views.client_user_edit, name="client-user-edit"),
    path("clients/<uuid:client_id>/users/<uuid:user_id>/remove/", user_views.client_user_remove,
         name="client-user-remove"),
    path("clients/<uuid:client_id>/users/<uuid:user_id>/make-owner/", user_views.client_transfer_ownership,
         name="client-transfer-ownership"),
    path("clients/<uuid:client_id>/activity/", user_views.client_activity, name="client-activity"),
    path("users/", user_views.user_list, name="user-list"),
    path("users/<uuid:user_id>/", user_views.user_detail, name="user-detail"),
    path("settings/staff/", settings_views.staff_list, name="staff-list"),
    path("settings/staff/new/", settings_views.staff_create, name="staff-create"),
    path("settings/staff/<uuid:staff_id>/", settings_views.staff_edit, name="staff-edit"),
    path("settings/roles/new/", settings_views.role_edit, name="role-create"),
    path("settings/roles/<int:role_id>/", settings_views.role_edit, name="role-edit"),
    path("settings/groups/", settings_views.group_list, name="group-list"),
    path("settings/groups/new/", settings_views.group_edit, name="group-create"),
    path("settings/groups/<int:group_id>/", settings_views.group_edit, name="group-edit"),
    path("settings/groups/<int:group_id>/delete/", settings_views.group_delete, name="group-delete"),
    path("settings/activity/", settings_views.activity_log, name="activity-log"),
    path("account/two-factor/", account_views.two_factor_settings, name="account-2fa"),
    path("login/verify/", account_views.login_verify, name="login-verify"),
]
