from django.urls import path

from cases.views import reports as views

app_name = "national"

urlpatterns = [
    path("", views.national, name="view"),
    path("<str:month>/export.<str:fmt>", views.national_export, name="export"),
]
