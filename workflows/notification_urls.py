from django.urls import path

from workflows import notification_views as views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/", views.open_notification, name="open"),
    path("tout-lu/", views.mark_all_read, name="read_all"),
    path("courriels/", views.preferences, name="preferences"),
]
