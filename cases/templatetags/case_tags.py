"""How the case pages write states and births: the colour of each state's badge, the same on the case
list and the case page, and « né » or « née ». (French long dates are every template's: ``ui.french``.)"""

from django import template

from cases.models import State
from cases.models.people import born as born_word

register = template.Library()

# DSFR badges by meaning: new, waiting for the cellule, care under way, the mobile team called, closed.
STATE_BADGES: dict[str, str] = {
    State.RECEIVED: "fr-badge--new",
    State.FAMILY_CONTACTED: "fr-badge--info",
    State.ASSIGNED: "fr-badge--info",
    State.IN_CARE: "fr-badge--purple-glycine",
    State.MOBILE_TEAM_REQUESTED: "fr-badge--warning",
    State.CLOSED: "fr-badge--success",
}


@register.filter
def state_badge(state: str) -> str:
    return STATE_BADGES.get(state, "fr-badge--info")


register.filter("born", born_word)
