"""Reading a case: the one rule every page and file of a case asks (``cases.rules``), motive included.

A page or a file of a case outside the user's own work asks for a motive once per session; the
motive page brings them back (``suivant``) and the read is recorded with it.
"""

from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from cases.models import Case
from cases.rules import automatic_motive, needs_motive
from cases.views.case_page import MOTIVES_KEY

NEXT = "suivant"  # the motive page's way back to the page or file that asked for it


def motive_for(request, case: Case) -> dict | None:
    """Why the user opens this case (``VIEW_CASE``, checked by the caller), as its reads record it
    (``remember_motive``): automatic for inspectors, asked once per session for a case outside their
    own work (None: ask it, ``ask_motive``), nothing to ask for their own work (empty). Every page
    and file of the case asks here (``cases.rules``)."""
    motive = automatic_motive(request.user, case)
    if motive or not needs_motive(request.user, case):
        return {"motif": motive} if motive else {}
    given = request.session.get(MOTIVES_KEY, {}).get(str(case.pk))
    return given if isinstance(given, dict) else None  # a motive kept as text before is asked again


def ask_motive(request, case: Case) -> HttpResponseRedirect:
    """Send the user to the motive page, which brings them back to this page or file once answered."""
    return redirect(f"{reverse('cases:motive', args=[case.pk])}?{urlencode({NEXT: request.get_full_path()})}")
