from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Comptes rendus mensuels"

    def ready(self) -> None:
        # Its rights and its event types, into the policy's and the trail's registries.
        from outbox import mail
        from reporting import actions, events, rules  # noqa: F401

        # A report is "sent" when the mail server accepts its e-mail (reporting.actions.delivered).
        mail.on_delivery("report", actions.delivered)
