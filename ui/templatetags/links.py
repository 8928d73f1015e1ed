"""``{% url_by_id "workflows:claim" task.pk %}``: ``{% url %}`` for an address whose one argument is an
object's id, in a list's rows, without matching the URL patterns anew for each (``ui.links``)."""

from django import template

from ui.links import by_id

register = template.Library()
register.simple_tag(by_id, name="url_by_id")
