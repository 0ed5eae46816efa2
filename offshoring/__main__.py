"""``python -m offshoring`` is the ``offshoring`` command (see ``offshoring.cli.run``)."""

from offshoring.cli import run

run()
