"""What a week leaves behind: each firm's tallies (``FirmWeek``) and the week's ``Events``.

Filled during the week's schedule (ODD 3) and read at observation (ODD 7.14):
the KPI rows, the Mesa reporters and the firms' observed history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from model.queueing import QueueResult


@dataclass(slots=True)
class FirmWeek:
    """What happened to one firm's customers and channels this week (for metrics)."""

    contacts: int = 0
    offshore_contacts: int = 0
    answered: int = 0
    resolved: int = 0
    abandoned: int = 0
    within_sl: float = 0.0
    wait_sum: float = 0.0
    s_sum: float = 0.0
    s_sq: float = 0.0
    complaints: int = 0
    churned: int = 0
    acquired: int = 0
    quality: dict[str, float] = field(default_factory=dict)   # mean experience quality
    csat: dict[str, float] = field(default_factory=dict)      # mean transaction satisfaction
    queues: dict[str, QueueResult] = field(default_factory=dict)


@dataclass(slots=True)
class Events:
    """Calendar and events of the week (step 1), also shown as markers in the app."""

    ramadan: bool = False
    outage: bool = False
    breach: bool = False
    media: bool = False
    strike: bool = False
    announcement: bool = False
    cutover: bool = False
    reshore: bool = False
