"""``manage.py service_account create|revoke|list``: the operator's way to the sources' service accounts,
through the same entry points as the administration's page, recorded as this command."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

import audit
from cases.models import Source
from intake import actions
from intake.models import ServiceAccount
from organisation.models import Departement
from organisation.policy import SYSTEM


def _refused(error: ValidationError) -> CommandError:
    problems = "; ".join(error.messages)
    return CommandError(f"Refusé : {problems} Rien n'a été changé.")


class Command(BaseCommand):
    help = "Crée, révoque ou liste les comptes de service des sources (API de réception des signalements)."

    def add_arguments(self, parser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        create = commands.add_parser("create", help="crée un compte et affiche son jeton, une seule fois")
        create.add_argument("--name", required=True, help="nom du compte, par exemple cnapr-93")
        create.add_argument("--source", required=True, choices=Source.values, help="origine des signalements")
        create.add_argument("--departement", required=True, help="code du département (93, 2A…)")
        create.add_argument("--days", type=int, default=None, help="durée de validité du jeton, en jours")
        revoke = commands.add_parser("revoke", help="révoque un compte : son jeton cesse de fonctionner")
        revoke.add_argument("--name", required=True, help="nom du compte")
        commands.add_parser("list", help="liste les comptes, sans leur jeton")

    def handle(self, *args, action: str, **options) -> None:
        with audit.acting(label="commande service_account"):
            getattr(self, action)(**options)

    def create(self, *, name: str, source: str, departement: str, days: int | None, **options) -> None:
        where = Departement.objects.filter(code=departement).first()
        if where is None:
            raise CommandError(f"Département inconnu : « {departement} ». Rien n'a été créé.")
        try:
            account, token = actions.create_account(SYSTEM, name=name, source=source, departement=where, days=days)
        except ValidationError as error:
            raise _refused(error) from None
        self.stdout.write(f"Compte « {account.name} » créé ; il expire le "
                          f"{timezone.localtime(account.expires_at):%d/%m/%Y}. Son jeton, affiché cette seule fois :\n"
                          f"{token}")

    def revoke(self, *, name: str, **options) -> None:
        account = ServiceAccount.objects.filter(name=name if name.startswith("api:") else f"api:{name}").first()
        if account is None:
            raise CommandError(f"Aucun compte de service ne s'appelle « {name} ».")
        try:
            actions.revoke_account(SYSTEM, account)
        except ValidationError as error:
            raise _refused(error) from None
        self.stdout.write(f"Compte « {account.name} » révoqué.")

    def list(self, **options) -> None:
        for account in ServiceAccount.objects.select_related("departement"):
            state = ("révoqué" if account.revoked_at else "actif" if account.usable else "expiré")
            self.stdout.write(f"{account.name}\t{account.get_source_display()}\t{account.departement.code}\t{state}\t"
                              f"expire le {timezone.localtime(account.expires_at):%d/%m/%Y}")
