from django.urls import path

from funding import views

app_name = "funding"

urlpatterns = [
    path("", views.action_list, name="list"),
    path("nouvelle/", views.action_create, name="create"),
    path("<int:pk>/", views.action_edit, name="edit"),
    path("export.<str:fmt>", views.action_export, name="export"),
    path("national/", views.national, name="national"),
    path("national/<int:year>/export.<str:fmt>", views.national_export, name="national_export"),
]
