from django.urls import path

from vigilance import views

app_name = "vigilance"

urlpatterns = [
    path("", views.alert_list, name="list"),
    path("seuil/", views.set_floor, name="floor"),
    path("<int:pk>/", views.alert_detail, name="detail"),
]
