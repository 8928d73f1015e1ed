from django.urls import path
from tickets import views

urlpatterns = [
    path("tasks/<int:pk>/claim/", views.claim, name="claim"),
    path("tasks/<int:pk>/<str:transition>/", views.complete, name="complete"),
]
