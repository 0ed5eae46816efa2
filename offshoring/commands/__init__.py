"""Front ends of the subcommands: parsers and thin command functions (lazy imports)."""
