from django.urls import path

from intake import account_views

app_name = "intake_accounts"
urlpatterns = [
    path("", account_views.accounts, name="list"),
    path("<int:pk>/revoquer/", account_views.revoke, name="revoke"),
]
