"""argparse types and the names shown in help texts (standard library only).

The names are those of the model (``model.presets``) and of the research
reproduction, written out here so that building the parser imports neither;
tests/test_offshoring_cli.py checks that they match.
"""

from __future__ import annotations

import argparse
import math
import os

#: model.presets.DEFAULT_SCENARIO
DEFAULT_SCENARIO = "offshore-morocco"
#: model.presets.MARKETS
MARKETS = ("telecom", "broadband", "us-telecom", "bank")
#: experiments.research.common.SCALES
SCALES = ("smoke", "full")


def whole_number(minimum: int):
    """An argparse type: a whole number >= ``minimum`` (one-line error otherwise)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value
    return parse


positive_int = whole_number(1)
non_negative_int = whole_number(0)
seed_int = non_negative_int


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def fraction(text: str) -> float:
    """argparse type: a number strictly between 0 and 1."""
    value = _number(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {value}")
    return value


def seconds(text: str) -> float:
    """argparse type: a finite number of seconds > 0."""
    value = _number(text)
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return value


def port_number(text: str) -> int:
    """argparse type: a TCP port, 1-65535 (one-line error otherwise)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be between 1 and 65535, got {value}")
    return value


def available_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def max_workers() -> int:
    """Most local worker processes a command starts: 4 per available CPU, at least 8.

    Each worker loads the model and its compiled kernels (about 0.2 GB), so a
    mistyped count (``--workers 2000``) would exhaust the machine's memory
    instead of running faster; a few per CPU still allows oversubscription.
    """
    return max(8, 4 * available_cpus())


def worker_count(text: str) -> int:
    """argparse type: a number of local worker processes, 1 to ``max_workers()``."""
    value = positive_int(text)
    if value > max_workers():
        raise argparse.ArgumentTypeError(
            f"at most {max_workers()} local worker processes here (4 per available CPU, at "
            f"least 8), got {value}")
    return value


def size(text: str) -> int:
    """argparse type: a number of customers, e.g. 10000, 10k, 1M (50 to 5,000,000)."""
    t = text.strip().lower().replace("_", "").replace(",", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    try:
        value = int(float(t[:-1] if factor > 1 else t) * factor)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of customers, got {text!r}") \
            from None
    if not 50 <= value <= 5_000_000:
        raise argparse.ArgumentTypeError(f"customers must be 50..5,000,000, got {value}")
    return value


def sizes(text: str) -> list[int]:
    """argparse type: comma-separated sizes (``10k,100k,1M``)."""
    return [size(part) for part in text.split(",") if part.strip()]


