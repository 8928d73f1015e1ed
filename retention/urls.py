from django.urls import path

from retention import views

app_name = "retention"
urlpatterns = [
    path("signalements/<int:pk>/personnes/", views.persons, name="persons"),
    path("signalements/<int:pk>/personnes/<str:kind>/<int:person>/export/", views.export, name="export"),
    path("signalements/<int:pk>/personnes/<str:kind>/<int:person>/rectifier/", views.rectify, name="rectify"),
]
