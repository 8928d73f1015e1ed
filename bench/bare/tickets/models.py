"""A ticket with a state machine and its history, its process, and a record written with each step."""

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords
from viewflow.workflow.models import Process


class State(models.TextChoices):
    RECEIVED = "received", "Reçu"
    CONTACTED = "contacted", "Famille contactée"
    ASSIGNED = "assigned", "Attribué"
    IN_CARE = "in_care", "Pris en charge"


class Ticket(ConcurrentTransitionMixin, models.Model):
    state = FSMField(default=State.RECEIVED, choices=State.choices, protected=True)
    referent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"ticket {self.pk}"

    @transition(field=state, source=State.RECEIVED, target=State.CONTACTED)
    def contact_family(self):
        pass

    @transition(field=state, source=State.CONTACTED, target=State.ASSIGNED)
    def assign(self):
        pass

    @transition(field=state, source=State.ASSIGNED, target=State.IN_CARE)
    def start_care(self):
        pass

    @transition(field=state, source=State.IN_CARE, target=State.IN_CARE)
    def review(self):
        pass


class Note(models.Model):
    """What each step records (a contact, a care measure, a review)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notes")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    text = models.TextField()
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.text


class TicketProcess(Process):
    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, related_name="process")

    class Meta:
        ordering = ["-created"]
