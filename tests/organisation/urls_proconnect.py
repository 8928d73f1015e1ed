"""The product's URLs with ProConnect's, as they are when PROCONNECT_CLIENT_ID is set."""

from django.urls import include, path

from project.urls import urlpatterns as product

urlpatterns = [*product, path("oidc/", include("mozilla_django_oidc.urls"))]
