from django.urls import path

from reporting import views

app_name = "national"

urlpatterns = [
    path("", views.national, name="view"),
    path("<str:month>/export.<str:fmt>", views.national_export, name="export"),
]
