from django.urls import path

from .views import auth, links, pages, profile, services

app_name = "portal"

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("login/", auth.login, name="login"),
    path("logout/", auth.logout, name="logout"),
    path("switch/", auth.switch_client, name="switch-client"),
    path("invoices/", pages.invoices, name="invoices"),
    path("invoices/add-funds/", pages.add_funds, name="add-funds"),
    path("invoices/<uuid:document_id>/", pages.document, name="document"),
    path("invoices/<uuid:document_id>/pdf/", pages.document_pdf, name="document-pdf"),
    path("services/", services.services, name="services"),
    path("services/order/", services.order, name="order"),
    path("services/<uuid:service_id>/", services.service, name="service"),
    path("services/<uuid:service_id>/cancel/", services.cancel, name="service-cancel"),
    path("profile/", profile.profile, name="profile"),
    path("transactions/", pages.transactions, name="transactions"),
    path("password/set/<str:uidb64>/<str:token>/", links.set_password, name="set_password"),
    path("password/reset/", links.request_password_reset, name="password_reset"),
    path("password/reset/<str:uidb64>/<str:token>/", links.reset_password, name="reset_password"),
    path("verify/<str:uidb64>/<str:token>/", links.verify_email, name="verify_email"),
]
