from django.contrib.auth import views as auth_views
from django.urls import path

from project import views
from project.admin import admin_site

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", auth_views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin_site.urls),
]
