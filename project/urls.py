from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path

from intake import api as intake_api
from organisation import account_pages, account_views, institution_views, session_views
from organisation import views as organisation_views
from project import health, search, second_factor, views
from project.admin import admin_site
from ui.forms import LoginForm

# The footer's pages, open without a session like the login page (project.middleware lets them through).
LEGAL_PAGES = [("plan-du-site/", "sitemap"), ("accessibilite/", "accessibility"), ("mentions-legales/", "notice"),
               ("donnees-personnelles/", "personal_data"), ("cookies/", "cookies")]
legal_urls = ([path(route, views.legal_page, {"page": page}, name=page) for route, page in LEGAL_PAGES], "legal")

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("connexion/second-facteur/", second_factor.verify, name="second_factor_verify"),
    path("connexion/second-facteur/enregistrer/", second_factor.enrol, name="second_factor_enrol"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    # The link of an invitation e-mail: the one page besides the login page open without a session.
    path("mot-de-passe/<uidb64>/<token>/", views.InvitationPasswordView.as_view(), name="password_reset_confirm"),
    path("mot-de-passe/enregistre/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("recherche/", search.search, name="search"),  # people, cases and meetings, as the policy lets each
    path("cellules/", include("organisation.urls")),
    path("charte/", include("charter.urls")),  # the confidentiality charter, its acceptances (charter/)
    path("signalements/import/", include("intake.urls")),  # a cellule's spreadsheet (intake/)
    path("signalements/", include("cases.urls")),
    path("taches/", include("workflows.urls")),
    path("notifications/", include("workflows.notification_urls")),  # one's own notifications (workflows/)
    path("audit/", include("inspection.urls")),
    path("alertes-lecture/", include("vigilance.urls")),  # the alerts on unusual reading (vigilance/)
    path("equipe-mobile/", include("mobile_team.urls")),
    path("comptes-rendus/", include("reporting.urls")),
    path("reunions/", include("cellule.meetings_urls")),
    path("groupes-de-parole/", include("cellule.support_groups_urls")),
    path("national/", include("reporting.national_urls")),
    path("fipd/", include("funding.urls")),  # the FIPD's actions: the coordinators', and the national aggregate
    path("api/v1/", intake_api.urls()),  # the sources' intake API (token, no session)
    path("comptes-de-service/", include("intake.account_urls")),  # the sources' accounts, for the administrator
    path("conservation/", include("retention.urls")),  # legal holds, the answers to the people concerned
    path("compte/sessions/", session_views.mine, name="sessions"),  # one's own open sessions
    path("compte/sessions/prolonger/", session_views.extend, name="session_extend"),  # before the idle timeout
    path("comptes/", account_pages.account_list, name="account_list"),  # the technical administrator's
    path("comptes/nouveau/", account_pages.account_create, name="account_create"),
    path("comptes/<int:pk>/", account_pages.account_detail, name="account_detail"),
    path("comptes/<int:pk>/modifier/", account_pages.account_edit, name="account_edit"),
    path("comptes/<int:pk>/sessions/", session_views.of_account, name="account_sessions"),
    path("mandats/", organisation_views.mandates, name="mandates"),
    path("roles-nationaux/", account_views.national_roles, name="national_roles"),
    path("comptes/recuperation/", account_views.account_recoveries, name="account_recoveries"),
    path("comptes/recuperation/<int:pk>/decision/", account_views.decide_recovery, name="decide_recovery"),
    path("mandats/<int:pk>/approuver/", organisation_views.approve_mandate, name="mandate_approve"),
    # The institutions the coordinators propose, validated or refused by the technical administrator.
    path("institutions/propositions/", institution_views.proposals, name="institution_proposals"),
    path("institutions/propositions/<int:pk>/decision/", institution_views.decide, name="decide_proposal"),
    path("dispositifs-de-prevention/", include("cellule.prevention_urls")),  # the cellule's exchanges with them
    path("", include(legal_urls)),
    path("health/", health.health, name="health"),  # for the reverse proxy and the monitoring, no login
    path("admin/", admin_site.urls),
]
if settings.PROCONNECT:  # optional (organisation.proconnect)
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
