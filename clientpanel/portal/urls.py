from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("password/set/<str:uidb64>/<str:token>/", views.set_password, name="set_password"),
]
