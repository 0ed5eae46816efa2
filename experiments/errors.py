"""The exception of bad command-line input shared by the libraries and the CLI."""


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit status 2."""
