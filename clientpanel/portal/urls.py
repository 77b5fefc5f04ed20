from django.urls import path

from .views import account, auth, files, links, logo, pages, payments, profile, register, services, stripe, users

app_name = "portal"

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("logo/", logo.logo, name="logo"),
    path("login/", auth.login, name="login"),
    path("login/code/", auth.login_code, name="login-code"),
    path("signup/", register.signup, name="signup"),
    path("logout/", auth.logout, name="logout"),
    path("switch/", auth.switch_client, name="switch-client"),
    path("invoices/", pages.invoices, name="invoices"),
    path("invoices/add-funds/", pages.add_funds, name="add-funds"),
    path("invoices/<uuid:document_id>/", pages.document, name="document"),
    path("invoices/<uuid:document_id>/pdf/", pages.document_pdf, name="document-pdf"),
    path("invoices/<uuid:document_id>/e-invoice/", pages.document_einvoice, name="document-einvoice"),
    path("invoices/pay/", payments.pay, name="pay"),
    path("invoices/payment-methods/", payments.payment_methods, name="payment-methods"),
    path("payments/<uuid:attempt_id>/", payments.payment, name="payment"),
    path("payments/test-gateway/<uuid:attempt_id>/", payments.test_gateway, name="test-gateway"),
    path("payments/stripe-test-cards/<uuid:attempt_id>/", stripe.stripe_test_cards, name="stripe-test-cards"),
    path("payments/notify/<slug:gateway>/<int:account_id>/", payments.notify, name="payment-notify"),
    path("services/", services.services, name="services"),
    path("services/order/", services.order, name="order"),
    path("services/<uuid:service_id>/", services.service, name="service"),
    path("services/<uuid:service_id>/cancel/", services.cancel, name="service-cancel"),
    path("services/<uuid:service_id>/keep/", services.keep, name="service-keep"),
    path("profile/", profile.profile, name="profile"),
    path("documents/", files.files, name="files"),
    path("documents/<uuid:file_id>/", files.file_download, name="file-download"),
    path("users/", users.users, name="users"),
    path("users/<uuid:user_id>/", users.user, name="user"),
    path("users/<uuid:user_id>/remove/", users.user_remove, name="user-remove"),
    path("account/", account.account, name="account"),
    path("account/2fa/", account.two_factor, name="account-2fa"),
    path("transactions/", pages.transactions, name="transactions"),
    path("password/set/<str:uidb64>/<str:token>/", links.set_password, name="set_password"),
    path("password/reset/", links.request_password_reset, name="password_reset"),
    path("password/reset/<str:uidb64>/<str:token>/", links.reset_password, name="reset_password"),
    path("verify/<str:uidb64>/<str:token>/", links.verify_email, name="verify_email"),
]
