from django.urls import path

from inspection import views

app_name = "inspection"

urlpatterns = [
    path("", views.search, name="search"),
    path("export.csv", views.export, {"kind": "csv"}, name="export_csv"),
    path("export.json", views.export, {"kind": "bundle"}, name="export_bundle"),
    path("verificateur_journal.py", views.verifier, name="verifier"),
    path("signalements/<str:reference>/", views.case_timeline, name="case_timeline"),
    path("utilisateurs/<str:username>/", views.user_activity, name="user_activity"),
    path("integrite/", views.integrity, name="integrity"),
    path("consultations-inspection/", views.inspection_reads, name="inspection_reads"),
]
