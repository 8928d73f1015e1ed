"""Counted events: what an anonymous client can repeat at its own pace (a failed login, an API call
without a valid token) is counted per minute and source, and each count becomes one event of the
trail once its minute is over, so that a flood adds a bounded number of events, not one per request.

``count()`` adds one to the row of its minute, type, source address and subject in one statement
(``INSERT … ON CONFLICT DO UPDATE``, atomic on SQLite and PostgreSQL, whichever worker runs it).
``flush()`` turns the rows of the minutes that are over into events and deletes them, in one
transaction: on PostgreSQL each row is taken under a lock that other flushers skip, so a count is
written once. It runs at the next count after the minute (any worker) and every second in the
sealer's service (``manage.py seal_audit --every 1``), so a minute's events are in the trail about a
second after it ends.

Each event carries the number, the first and last time, and the source address. Its subject is an
account (the event names it and its département, so the inspectors see it on that person's activity)
or, for a name that is no account, nothing of what was typed: such names are counted, distinct ones
told apart by a keyed digest kept in the working row only (a name typed there may be a person's, or
a password typed in the wrong field). Events per minute and source: one for the unknown names, and
one per account aimed at.
"""

import datetime
from collections import defaultdict
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from audit import canonical
from audit.models import Tally
from audit.recorder import _actor_role_and_cell, acting, record

UNKNOWN = "?"  # the prefix of an unknown name's subject
LOGIN_FAILURES, LOCKOUTS = "auth.login_failures", "auth.lockouts"
ACCOUNT_FAILURES = (LOGIN_FAILURES, LOCKOUTS)  # the events that name the account aimed at
ANONYMOUS = "connexion non authentifiée"


def _minute(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(second=0, microsecond=0)


def unknown_name(typed: str) -> str:
    """The subject of a name that is no account: a short keyed digest, never the name."""
    return UNKNOWN + salted_hmac("audit.tallies", typed, algorithm="sha256").hexdigest()[:16]


def count(action: str, *, ip: str | None, label: str, account: AbstractBaseUser | None = None, subject: str = "",
          using: str = DEFAULT_DB_ALIAS) -> None:
    """One more ``action`` this minute from ``ip`` (as received; kept canonical, "" when no address),
    aimed at ``account`` (a user) or at ``subject`` (``unknown_name()``, or "" for none)."""
    now = timezone.now()
    flush(before=_minute(now), using=using)
    row: dict[str, Any] = {"minute": _minute(now), "action": action, "source": canonical.address(ip)[0] or "",
                           "subject": subject, "label": label, "object_type": "", "object_id": "", "departement": "",
                           "occurrences": 1, "first_at": now, "last_at": now}
    if account is not None:
        row.update(subject=f"compte:{account.pk}", object_type=account._meta.label_lower, object_id=str(account.pk),
                   departement=_actor_role_and_cell(account)[1])
    _upsert(row, using)


def _upsert(row: dict[str, Any], using: str) -> None:
    conn = connections[using]
    quote = conn.ops.quote_name
    by_name = {field.name: field for field in Tally._meta.concrete_fields}
    fields = [by_name[name] for name in row]
    table, occurrences, last = quote(Tally._meta.db_table), quote("occurrences"), quote("last_at")
    key = ", ".join(quote(name) for name in ("minute", "action", "source", "subject"))
    sql = (f"INSERT INTO {table} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608 (names only)
           f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT ({key}) DO UPDATE SET "
           f"{occurrences} = {table}.{occurrences} + 1, {last} = excluded.{last}")
    with conn.cursor() as cursor:
        cursor.execute(sql, [f.get_db_prep_save(row[f.name], conn) for f in fields])


def flush(before: datetime.datetime | None = None, using: str = DEFAULT_DB_ALIAS) -> int:
    """Write the events of the counts of the minutes before ``before`` (the current one by default);
    returns how many."""
    pending = Tally.objects.using(using).filter(minute__lt=before or _minute(timezone.now()))
    if not pending.exists():  # the common case, one indexed read
        return 0
    with transaction.atomic(using=using):
        rows = list(pending.select_for_update(skip_locked=True).order_by("minute", "action", "source", "subject"))
        Tally.objects.using(using).filter(pk__in=[row.pk for row in rows]).delete()
        groups = defaultdict(list)
        for row in rows:
            groups[(row.minute, row.action, row.source, row.object_id)].append(row)
        for (_, action, source, _), group in groups.items():
            _record(action, source, group, using)
    return len(groups)


def _record(action: str, source: str, rows: list[Tally], using: str) -> None:
    """One event for rows of one minute, type and source: those of one account, or all the others."""
    first, last = min(row.first_at for row in rows), max(row.last_at for row in rows)
    details = {"nombre": sum(row.occurrences for row in rows), "adresse": source or "aucune",
               "premier": f"{timezone.localtime(first):%d/%m/%Y %H:%M:%S}",
               "dernier": f"{timezone.localtime(last):%d/%m/%Y %H:%M:%S}"}
    unknown = sum(1 for row in rows if row.subject.startswith(UNKNOWN))
    if unknown:
        details["identifiants_inconnus"] = unknown
    one = rows[0]
    with acting(label=one.label, ip=source or None):
        record(action, object_type=one.object_type, object_id=one.object_id, departement=one.departement,
               details=details, using=using)
