from django.urls import path

from intake import views

app_name = "intake"
urlpatterns = [
    path("", views.upload, name="import"),
    path("confirmer/", views.confirm, name="confirm"),
    path("modele.<str:fmt>", views.template, name="template"),
]
