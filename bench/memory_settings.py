"""The product's settings with Django's default Argon2 parameters (100 MiB, 2 passes, 8 lanes): the
baseline ``memory.py`` serves next to the product's bounded hasher."""

from project.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher",
                    "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
