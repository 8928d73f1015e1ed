from django.urls import path

from workflows import task_view, view_pages, views

app_name = "workflows"

urlpatterns = [
    path("", views.task_list, {"tab": "mine"}, name="inbox"),
    path("file/", views.task_list, {"tab": "queue"}, name="queue"),
    path("terminees/", views.task_list, {"tab": "done"}, name="done"),
    path("cellule/", views.task_list, {"tab": "cellule"}, name="cellule"),
    path("<int:pk>/", task_view.task_detail, name="task"),
    path("<int:pk>/prendre/", views.claim, name="claim"),
    path("<int:pk>/rendre/", views.release, name="release"),
    path("selection/", views.bulk_action, name="bulk"),  # the ticked tasks of a list, all or none
    path("vues/enregistrer/", view_pages.save, name="save_view"),  # the views of the task lists and the case list
    path("vues/<int:pk>/supprimer/", view_pages.delete, name="delete_view"),
]
