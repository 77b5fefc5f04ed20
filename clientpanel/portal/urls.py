from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("password/set/<str:uidb64>/<str:token>/", views.set_password, name="set_password"),
    path("password/reset/", views.request_password_reset, name="password_reset"),
    path("password/reset/<str:uidb64>/<str:token>/", views.reset_password, name="reset_password"),
    path("verify/<str:uidb64>/<str:token>/", views.verify_email, name="verify_email"),
]
