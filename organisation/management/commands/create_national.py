"""Bootstrap the first national officer (CIPDR), who names the next ones, the coordinators, the
mobile team and the inspection: the technical administrator never gives the national role, so that
no account it made could name it, or another of its accounts, where cases are read."""

from organisation.management.commands import create_admin
from organisation.models import Role


class Command(create_admin.Command):
    help = ("Crée le premier membre du niveau national (compte sans mot de passe, lien pour le choisir) ; "
            "refusé s'il en existe déjà un.")
    role, function, noun = Role.NATIONAL, "Niveau national (CIPDR)", "Membre du niveau national"
    exists = ("Un membre du niveau national existe déjà : c'est lui qui nomme les suivants, sur la page des rôles "
              "nationaux")
