"""The bare stack's side of ``bench/transition.py``: one JSON line per request measured.

Run in a subprocess (its own settings): creates its throwaway database (``BARE_DATABASE_URL``),
migrates it, then claims a task and completes each task of a ticket through the test client, as a
user with a session would.
"""

import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ["DJANGO_SETTINGS_MODULE"] = "settings"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from tickets.flows import TicketFlow  # noqa: E402
from tickets.models import Ticket  # noqa: E402
from timing import measure  # noqa: E402
from viewflow.workflow.status import STATUS  # noqa: E402

# The steps of bench/transition.py: the state the ticket is brought to, the task done.
STEPS = ["contact_family", "assign", "start_care", "review"]


def ticket_at(step: str, user: User, client: Client):
    """A new ticket whose task ``step`` is the user's to complete, the steps before it done."""
    process = TicketFlow.start.run(ticket=Ticket.objects.create(referent=user))
    for name in STEPS[:STEPS.index(step) + 1]:
        task = process.task_set.get(flow_task=getattr(TicketFlow, name), status__in=[STATUS.NEW, STATUS.ASSIGNED])
        if task.status == STATUS.NEW:
            with transaction.atomic(), task.activation() as activation:
                activation.assign(user)
        if name != step:
            client.post(f"/tasks/{task.pk}/{name}/", {"text": "fait", "referent": user.pk})
    return task


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)

    def claim():
        process = TicketFlow.start.run(ticket=Ticket.objects.create(referent=user))
        task = process.task_set.get(flow_task=TicketFlow.contact_family)
        return lambda: client.post(f"/tasks/{task.pk}/claim/")

    def step(name: str):
        def prepare():
            task = ticket_at(name, user, client)
            return lambda: client.post(f"/tasks/{task.pk}/{name}/", {"text": "fait", "referent": user.pk})
        return prepare

    for name, prepare in [("claim", claim), *((name, step(name)) for name in STEPS)]:
        print(json.dumps({"request": name, **measure(prepare, runs)}), flush=True)


if __name__ == "__main__":
    main()
