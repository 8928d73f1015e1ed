"""Bootstrap the first technical administrator of an installation, outside demo mode too.

The account is created without a password: the command prints the link where its owner chooses
one (valid as long as Django's password-reset tokens, ``PASSWORD_RESET_TIMEOUT``). Every later
administrator is given the role by an existing one, in the admin site, never by themselves.
``create_national`` does the same for the first national officer, who then names the others.
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

import audit
from organisation import actions as organisation
from organisation.accounts import password_link
from organisation.models import Institution, Membership, Role
from organisation.policy import SYSTEM


class Command(BaseCommand):
    help = ("Crée le premier administrateur technique (compte sans mot de passe, lien pour le choisir) ; "
            "refusé si un administrateur existe déjà.")
    role, function, noun = Role.ADMIN, "Administration technique", "Administrateur"
    exists = "Un administrateur existe déjà : c'est lui qui donne ce rôle, dans l'administration"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", required=True, help="identifiant du compte")
        parser.add_argument("--email", required=True, help="courriel de la personne")
        parser.add_argument("--first-name", required=True, help="prénom")
        parser.add_argument("--last-name", required=True, help="nom")
        parser.add_argument("--institution", default=self.function,
                            help="institution de rattachement (créée si elle n'existe pas)")

    def handle(self, *args, username, email, first_name, last_name, institution, **options) -> None:
        if Membership.objects.active().filter(role=self.role, user__is_active=True).exists():
            raise CommandError(f"{self.exists}. Rien n'a été créé.")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"L'identifiant « {username} » est déjà pris. Rien n'a été créé.")
        user = User(username=username, email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        try:
            with transaction.atomic(), audit.acting(label=self.__module__.rsplit(".", 1)[-1]):
                user.full_clean()
                organisation.save_reference(SYSTEM, user)
                home = Institution.objects.filter(name=institution).first() or organisation.save_reference(
                    SYSTEM, Institution(name=institution, category=Institution.Category.STATE))
                organisation.save_membership(SYSTEM, Membership(
                    user=user, institution=home, function=self.function, role=self.role,
                    starts_on=timezone.localdate()))
        except ValidationError as error:
            problems = "; ".join(f"{field} : {' '.join(messages)}" for field, messages in error.message_dict.items())
            raise CommandError(f"Compte refusé ({problems}). Rien n'a été créé.") from None
        self.stdout.write(f"{self.noun} « {username} » créé. Qu'il choisisse son mot de passe ici :\n"
                          f"{password_link(user)}")
