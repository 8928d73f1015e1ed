"""The ticket's flow, chained as in viewflow's examples: each task's completion opens the next, and a
review the next review, as the product's do."""

from viewflow import this
from viewflow.workflow import flow, lock

from tickets.models import TicketProcess
from tickets.views import complete


class TicketFlow(flow.Flow):
    process_class = TicketProcess
    lock_impl = lock.SelectForUpdateLock(nowait=False)

    start = flow.StartHandle(this.start_ticket).Next(this.contact_family)
    contact_family = flow.View(complete).Next(this.assign)
    assign = flow.View(complete).Next(this.start_care)
    start_care = flow.View(complete).Assign(this.referent).Next(this.review)
    review = flow.View(complete).Assign(this.referent).Next(this.review)

    def start_ticket(self, activation, ticket):
        activation.process.ticket = ticket
        return activation.process

    def referent(self, activation):
        return activation.process.ticket.referent
