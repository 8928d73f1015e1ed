from django.urls import path

from cellule.views import meetings as views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("derniere/compte-rendu/", views.last_minutes, name="minutes"),
]
