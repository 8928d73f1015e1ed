from django.urls import path

from organisation import views

urlpatterns = [
    path("<str:code>/", views.cell_detail, name="cell_detail"),
    path("<str:code>/composition.<str:fmt>", views.composition_export, name="composition_export"),
]
