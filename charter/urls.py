from django.urls import path

from charter import views

app_name = "charter"
urlpatterns = [
    path("", views.page, name="page"),
    path("acceptations/<str:code>/", views.acceptances, name="acceptances"),
]
