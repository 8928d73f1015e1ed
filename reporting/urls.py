from django.urls import path

from reporting import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),  # before the months it would pass for
    path("<str:month>/", views.report_detail, name="detail"),
    path("<str:month>/export.<str:fmt>", views.report_export, name="export"),
]
