"""What the case tells the concerns built on it, which it does not know (the mobile team).

``case_closing`` is sent inside the transaction of a closure or a transfer, before the state moves:
a receiver's writes commit or roll back with the closure. ``case_reopening`` is sent before a closed
case reopens: a receiver that refuses it raises ``ActionRefused`` (retention: an erased case).
"""

from django.dispatch import Signal

# Arguments: actor (who closes), case (locked for update), note (why it closes, for the records
# its receivers end).
case_closing = Signal()

# Arguments: actor, case (locked for update).
case_reopening = Signal()
