"""How the accounts' passwords are stored: Argon2id with a memory cost bounded for the web workers.

Django's own Argon2 hasher asks 100 MiB and 8 lanes for each hash: each gunicorn worker grows by
100 MiB at every login (four at once: 400 MiB) and a login costs 0.6 s of CPU on this 2-core machine.
The parameters below follow the two references the security model cites (docs/security.md):

- ANSSI, *Recommandations relatives à l'authentification multifacteur et aux mots de passe*
  (ANSSI-PG-078, v2.0, October 2021): R28, a random salt of at least 128 bits for each account
  (Django's ``salt_entropy``, 128 bits, 22 characters); R29, a *memory-hard* password derivation
  function, set so as to slow an offline attack down while costing the legitimate service little.
  The guide names no figures; OWASP does.
- OWASP, *Password Storage Cheat Sheet*: Argon2id, at least m = 19 MiB, t = 2, p = 1 (or 12 MiB with
  t = 3, equivalent).

We keep OWASP's 19 MiB and take one pass more than its minimum (t = 3): the memory is what a worker
pays, the passes only CPU (about 0.1 s a login here, docs/performance.md). One lane: a sync worker
serves one request at a time, and lanes would only add threads on a machine with two cores. Four
workers hashing at once therefore hold 4 × 19 MiB at most. An offline attacker also meets the
second factor every account must give (the guide's first subject); online, the lockout stops guessing.

A hash made with other parameters (Django's default, or PBKDF2 before Argon2) still verifies, and
Django re-hashes it with these at the next successful login (``must_update``)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class BoundedArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at 19 MiB, 3 passes, 1 lane; same ``algorithm`` name, so every stored Argon2 hash is
    read by it and upgraded when its parameters differ."""

    memory_cost = 19 * 1024  # KiB
    time_cost = 3
    parallelism = 1
