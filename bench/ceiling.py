"""The ceiling: what each role's main pages cost next to the anonymous login page (a DSFR template,
no query), at 16 clients against the product served as ``make serve`` serves it, in one run.

Run by hand on a throwaway PostgreSQL database:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cellule_ceiling .venv/bin/python bench/ceiling.py --cases 20000

The test suite runs it with ``--tiny`` (2 clients, half a second a page, one round) so that it keeps
working. The database is migrated, given the demo (whose accounts hold every role) and a national data
set (``seed_national --cases``) unless it has them. Each page is requested by ``--clients`` threads
for ``--seconds``, as the demo's account that works there; the pages take turns, ``--rounds`` times
(login, home, …, login, home, …), so that the machine's load falls on all of them. One JSON line per
page and round (requests/s, p50, p95, errors, the login page's requests/s in that round and the ratio
of the two: how many login pages one of these costs), then one line per page over the rounds.
"""

import argparse
import io
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DEMO", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from served import Session, emit, failures, give_password, serve, stop, summary  # noqa: E402

from cases.models import Case  # noqa: E402
from reporting.figures import Month  # noqa: E402

LOGIN = "page de connexion (anonyme)"
TINY = {"cases": 0, "clients": 2, "seconds": 0.5, "rounds": 1, "workers": 2}


def pages() -> list[tuple[str, str, str]]:
    """(page, the demo's account that opens it, its address); the login page first, anonymous."""
    case = Case.objects.filter(departement__code="93").order_by("-received_on", "-pk").values_list("pk", flat=True)[0]
    month = Month(timezone.localdate().replace(day=1)).previous()
    return [
        (LOGIN, "", "/connexion/"),
        ("accueil (coordination)", "coord93", "/"),
        ("mes tâches (coordination)", "coord93", "/taches/"),
        ("signalements (coordination)", "coord93", "/signalements/"),
        ("page d'un signalement (coordination, lecture enregistrée)", "coord93", f"/signalements/{case}/"),
        ("compte rendu mensuel (coordination)", "coord93", f"/comptes-rendus/{month}/"),
        ("accueil (membre)", "membre93", "/"),
        ("mes tâches (membre)", "membre93", "/taches/"),
        ("file de l'équipe (membre)", "membre93", "/taches/file/"),
        ("recherche dans le journal (inspection)", "inspecteur", "/audit/?departement=93"),
        ("demandes à prendre (équipe mobile)", "equipe_mobile", "/equipe-mobile/"),
        ("vue nationale (niveau national)", "national", "/national/"),
        ("comptes (administration technique)", "admin", "/comptes/"),
    ]


def prepare(cases: int) -> None:
    """The database migrated, with the demo (whose accounts hold every role) and a national data set of
    about ``cases`` cases unless it has them (none if 0)."""
    call_command("migrate", verbosity=0)
    if not get_user_model().objects.filter(username="coord93").exists():
        call_command("seed_demo", stdout=io.StringIO())
    if cases and Case.objects.count() < cases // 2:
        call_command("seed_national", cases=cases, verbosity=0, stdout=io.StringIO())


def hammer(port: int, cookies: dict[str, str], url: str, clients: int, seconds: float) -> list[Session]:
    """``clients`` threads requesting ``url`` with the same session for ``seconds``."""
    sessions = [Session(port) for _ in range(clients)]
    deadline = time.monotonic() + seconds

    def loop(session: Session) -> None:
        session.cookies = dict(cookies)
        while time.monotonic() < deadline:
            session.request("page", "GET", url)

    threads = [threading.Thread(target=loop, args=(session,)) for session in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sessions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20000, help="jeu national créé si la base n'en a pas")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10, help="durée de chaque page dans chaque tour")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4, help="processus gunicorn")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--tiny", action="store_true", help=f"que le script marche, sans mesurer : {TINY}")
    args = parser.parse_args()
    if args.tiny:
        args.cases, args.clients, args.seconds, args.rounds, args.workers = TINY.values()
    prepare(args.cases)
    chosen = pages()
    users = {username for _, username, _ in chosen if username}
    give_password(get_user_model().objects.filter(username__in=users))
    server = serve(args.port, args.workers)
    try:
        cookies = {"": {}}
        for username in users:
            session = Session(args.port)
            session.sign_in(username)
            cookies[username] = session.cookies
        for page, username, url in chosen:  # each page itself, not a redirect to a sign-in or a motive
            check = Session(args.port)
            check.cookies = dict(cookies[username])
            response, _ = check.request("page", "GET", url)
            if response is None or response.status != 200:
                sys.exit(f"{page} ({url}) : {response.status if response else 'pas de réponse'} au lieu de 200")
        rates: dict[str, list[float]] = {page: [] for page, _, _ in chosen}
        ratios: dict[str, list[float]] = {page: [] for page, _, _ in chosen}
        for round_ in range(1, args.rounds + 1):
            for page, username, url in chosen:
                timings = [t for s in hammer(args.port, cookies[username], url, args.clients, args.seconds)
                           for t in s.timings]
                rate = sum(not failure for _, _, failure in timings) / args.seconds
                rates[page].append(rate)
                ratios[page].append(rates[LOGIN][-1] / rate if rate else float("inf"))
                emit({"bench": "ceiling", "round": round_, "page": page, "url": url, "account": username or None,
                      "clients": args.clients, "requests_per_s": round(rate, 1),
                      **summary([t for _, t, _ in timings]), **failures(timings),
                      "login_requests_per_s": round(rates[LOGIN][-1], 1), "ratio_to_login": round(ratios[page][-1], 2)})
        for page, _, _ in chosen:
            emit({"bench": "ceiling", "page": page, "rounds": args.rounds, "clients": args.clients,
                  "requests_per_s": round(statistics.median(rates[page]), 1),
                  "ratio_to_login_min": round(min(ratios[page]), 2), "ratio_to_login_max": round(max(ratios[page]), 2)})
    finally:
        stop(server)


if __name__ == "__main__":
    main()
