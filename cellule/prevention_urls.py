from django.urls import path

from cellule.views import prevention as views

app_name = "prevention"

urlpatterns = [path("<int:pk>/", views.body, name="body")]
