"""No account is ever saved as superuser or staff: rights come from roles (``organisation.rules``).

Whatever the path (the admin site, ``createsuperuser``, a shell), the save is refused before it
reaches the database. The first administrator is made by ``manage.py create_admin``.
"""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models.signals import pre_save
from django.dispatch import receiver


@receiver(pre_save, sender=User)
def refuse_superuser_and_staff(sender, instance: User, **kwargs) -> None:
    if instance.is_superuser or instance.is_staff:
        raise PermissionDenied("Aucun compte n'est super-utilisateur ni « staff » : les droits viennent des rôles. "
                               "Le premier administrateur se crée avec « manage.py create_admin ».")
