"""The shared user interface at the bottom of the house: the base form, its widgets and templates, and
the helper that hands a form's data to an entry point (``ui.forms.submit``).

Every app may import it; it imports none of them. What it needs of the entry points, the refusal whose
French message is for the user, it declares itself (``ui.errors.Refusal``)."""
