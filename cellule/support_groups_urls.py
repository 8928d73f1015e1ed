from django.urls import path

from cellule.views import support_groups as views

app_name = "support_groups"

urlpatterns = [
    path("", views.support_groups, name="list"),
    path("<int:pk>/", views.support_group, name="detail"),
]
