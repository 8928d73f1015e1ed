"""The bare stack's side of ``bench/transition.py``, in a subprocess with its own settings.

It migrates its throwaway database (``BARE_DATABASE_URL``), then reads its standard input: for each
line ``<request> <runs>`` (claim, contact_family, assign, start_care, review), it claims a task or
completes a ticket's task through the test client ``runs`` times, as a user with a session would, and
answers one JSON line (the times in ms and queries of each run). So the caller interleaves the two
stacks' rounds (A B A B) in one run.
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
from timing import sample  # noqa: E402
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

    prepares = {"claim": claim, **{name: step(name) for name in STEPS}}
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        name, runs = line.split()
        print(json.dumps({"request": name, **sample(prepares[name], int(runs))}), flush=True)


if __name__ == "__main__":
    main()
