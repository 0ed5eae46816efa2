"""``python -m offshoring`` is the ``offshoring`` command.

Once the command has returned, the process ends without the interpreter's
finalization: tearing down Mesa, pandas, SciPy, Numba and a model's objects
module by module took 0.3-0.5 s of a 1.7 s ``offshoring run`` (issue 12). The
output streams are flushed and the ``atexit`` handlers run first (logging,
multiprocessing, ...); every file the commands write is closed by then. An
exception still takes the ordinary way out (traceback, finalization).
"""

import atexit
import os
import sys

from offshoring.cli import main


def _exit_now(code: int) -> None:
    """End the process with ``code`` once the streams are flushed and ``atexit`` has run."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed or broken stream: leave it to the interpreter
        sys.exit(code)
    atexit._run_exitfuncs()
    os._exit(code)


_exit_now(main())
