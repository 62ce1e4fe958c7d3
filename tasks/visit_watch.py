"""Watch a server-room visit for an overstay: record it once, e-mail the IT officers and Kasub.

Called by the flow's watcher thread while the exit step of SOP B waits
(:mod:`flows.visits`). As :mod:`tasks.sla_watch`: claim in one short
transaction (only the first caller records it), send outside any transaction,
then record who was told or why not. A failing mail server never raises.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine

from config.smtp import SmtpSettings
from records.db import session_scope
from records.visits import claim_overstay, load_visit, set_overstay_notified
from sop.escalation import format_time
from sop.office import Office
from sop.visits import is_overstay, masked_id, overstay_message
from tasks.alerts import record_alert, send_alert

log = logging.getLogger(__name__)

NOTIFICATION_KIND = "visit_overstay"
NOTIFIED_ROLES: tuple[str, ...] = ("it_officer", "kasubag")
"""Who hears about an overstay: the IT officers and the Kasub who allowed the visit."""


def check_overstay(
    engine: Engine,
    office: Office,
    *,
    visit_id: int,
    now: datetime,
    smtp: SmtpSettings | None,
    run_ref: str,
) -> bool:
    """Record and announce a visit's overstay, once.

    Args:
        engine: Records database.
        office: People and their e-mail addresses, timezone.
        visit_id: The visit.
        now: The current time (aware).
        smtp: The mail server, or ``None`` when notifications are off.
        run_ref: What identifies the run for people (flow run URL).

    Returns:
        ``True`` when there is nothing more to watch (the visitor left, or the
        overstay is recorded), ``False`` to check again later.
    """
    with session_scope(engine) as session:
        visit = load_visit(session, visit_id)
        if visit.exited_at is not None or visit.overstay_at is not None:
            return True
        if not is_overstay(visit.planned_end, now, visit.exited_at):
            return False
        if not claim_overstay(session, visit_id, at=now):
            return True
        subject, body = overstay_message(
            number=visit.number,
            visitor=visit.visitor_name,
            organisation=visit.organisation,
            identity=masked_id(visit.id_type, visit.id_number),
            badge=visit.badge_number,
            escort=visit.escort,
            planned_end=format_time(visit.planned_end, office),
            now=format_time(now, office),
            run_ref=run_ref,
        )
        number, sop_run_id = visit.number, visit.sop_run_id
    log.warning("visit %s is past its planned end", number)
    emails = tuple(
        dict.fromkeys(p.email for role in NOTIFIED_ROLES for p in office.holders(role) if p.email)
    )
    alert = send_alert(
        smtp,
        emails,
        subject,
        body,
        nobody="nobody holding it_officer or kasubag has an e-mail address",
    )
    if alert.error is not None:
        log.warning("overstay of visit %s: not notified: %s", number, alert.error)
    with session_scope(engine) as session:
        visit = load_visit(session, visit_id)
        set_overstay_notified(session, visit, recipients=alert.delivered, error=alert.error)
        record_alert(session, alert, kind=NOTIFICATION_KIND, sop_run=sop_run_id, sent_at=now)
    return True
