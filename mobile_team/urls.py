from django.urls import path

from mobile_team import views

app_name = "mobile_team"

urlpatterns = [
    path("", views.request_list, {"tab": "a-prendre"}, name="queue"),
    path("mes-demandes/", views.request_list, {"tab": "mes-demandes"}, name="mine"),
    path("toutes/", views.request_list, {"tab": "toutes"}, name="all"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("<int:pk>/", views.request_detail, name="request"),
    path("<int:pk>/prendre/", views.claim, name="claim"),
    path("<int:pk>/messages/", views.send_message, name="message"),
    path("<int:pk>/messages/pieces-jointes/<int:attachment>/", views.message_attachment, name="message_attachment"),
    path("<int:pk>/<slug:slug>/", views.request_action, name="action"),
]
