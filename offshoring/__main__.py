"""``python -m offshoring`` is the ``offshoring`` command."""

import sys

from offshoring.cli import main

sys.exit(main())
