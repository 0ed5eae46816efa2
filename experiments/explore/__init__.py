"""Exploring under deep uncertainty (issue 11): plausible worlds, the chance that a
strategy pays, and where it does.

``offshoring explore SPEC --out DIR`` (``command``) samples worlds over the
uncertain parameters (``worlds``), keeps those that reproduce the published
patterns by approximate Bayesian computation by rejection (``accept``), runs
every strategy in every plausible world with common random numbers
(``execute``), and reports the probability that each strategy beats staying
home, its regret (``answers``) and where it pays (``discover``: PRIM and CART
of ``ema_workbench``). ``ema`` exposes the model to EMA Workbench users and
``report.section`` renders the "What we cannot rule out" section. See
docs/explore.md.

Modules of ``experiments`` that are being moved are imported in two places only:
``execute`` (executors and atomic Parquet writes) and ``accept`` (patterns).
"""
