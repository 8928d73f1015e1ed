"""Retention's receivers: an erased case refuses its reopening (``cases.signals.case_reopening``);
on PostgreSQL, the histories' protection is installed after each migrate."""

from django.db.models.signals import post_migrate

from cases.signals import case_reopening
from retention import history, rules

case_reopening.connect(rules.refuse_reopening, dispatch_uid="retention.refuse_reopening")
post_migrate.connect(history.after_migrate, dispatch_uid="retention.protect_histories")
