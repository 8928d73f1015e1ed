from django.urls import path

from cellule.views import decisions, meeting_documents
from cellule.views import meetings as views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/<slug:document>.pdf", meeting_documents.meeting_pdf, name="pdf"),
    path("derniere/compte-rendu/", meeting_documents.last_minutes, name="minutes"),
    path("decisions/<int:pk>/", decisions.decision, name="decision"),
]
