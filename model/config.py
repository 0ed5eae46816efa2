"""Configuration files: ``load_toml`` reads a TOML file into ``Params`` (ODD 5).

A file names an optional scenario preset (``model.presets``) and overrides
parameters by dotted name (``model.params.build``).
"""

from __future__ import annotations

import stat
import sys
import tomllib
from pathlib import Path

from model.params import ParameterError, Params, build, shown
from model.presets import SCENARIOS, scenario

#: Larger config files are refused before reading (a config file is a few kB).
MAX_CONFIG_BYTES = 16 * 2**20

_FILE_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"),
               (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
               (stat.S_ISSOCK, "a socket"))


def load_toml(path: str | Path) -> Params:
    """Params from a TOML file: an optional ``preset = "name"`` plus tables of overrides.

    The file must be a regular file of UTF-8 text (a UTF-8 byte-order mark is
    allowed). An empty file, or one with only comments, means all defaults:
    ``Params()``. Anything else that is not a valid configuration (not found, not a
    regular file, unreadable, not UTF-8, not TOML, nested too deeply, a ``preset``
    that is not a scenario name, an unknown name, a wrong type or a value out of
    range) raises ParameterError with one line naming the file or field.
    """
    path = Path(path)
    where = f"config file '{path}'"
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise ParameterError(f"{where} not found") from None
    except PermissionError:
        raise ParameterError(f"{where} cannot be read: permission denied") from None
    except (OSError, ValueError) as err:  # a name too long, a NUL byte in it, ...
        raise ParameterError(f"{where} cannot be read: {_os_reason(err)}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = next((k for test, k in _FILE_KINDS if test(info.st_mode)), "a special file")
        raise ParameterError(f"{where} is not a regular file (it is {kind})")
    if info.st_size > MAX_CONFIG_BYTES:
        raise ParameterError(f"{where} is too large ({info.st_size} bytes; at most "
                             f"{MAX_CONFIG_BYTES} bytes)")
    try:
        raw = path.read_bytes()
    except PermissionError:
        raise ParameterError(f"{where} cannot be read: permission denied") from None
    except OSError as err:
        raise ParameterError(f"{where} cannot be read: {_os_reason(err)}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        bom = " (it starts with a UTF-16 byte-order mark: save it as UTF-8)" \
            if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise ParameterError(f"{where} is not UTF-8 text: byte 0x{raw[err.start]:02x} at "
                             f"offset {err.start} cannot be decoded{bom}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ParameterError(f"{where} is not valid TOML: {err}") from None
    except ValueError:  # int("9" * 5000): Python's limit on integer digits
        raise ParameterError(f"{where} is not valid TOML: an integer has more than "
                             f"{sys.get_int_max_str_digits()} digits") from None
    except RecursionError:
        raise ParameterError(f"{where} is nested too deeply (arrays or tables inside one "
                             "another)") from None
    preset = data.pop("preset", None)
    if preset is not None and not isinstance(preset, str):
        raise ParameterError(f"{where}: 'preset' = {shown(preset)} is not a scenario name: "
                             f"expected one in quotes, one of {', '.join(SCENARIOS)}")
    base = scenario(preset) if preset is not None else Params()
    try:
        return build(base, data)
    except RecursionError:
        raise ParameterError(f"{where} is nested too deeply (arrays or tables inside one "
                             "another)") from None


def _os_reason(err: Exception) -> str:
    """An OS error's reason without the file name (the message names the file)."""
    return (getattr(err, "strerror", None) or str(err) or type(err).__name__).lower()
