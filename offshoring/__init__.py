"""The ``offshoring`` command line, above the ``experiments`` and ``viz`` libraries."""
