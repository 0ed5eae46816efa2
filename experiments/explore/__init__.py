"""Exploring under deep uncertainty (issue 11): plausible worlds, the chance that a
strategy pays, and where it does.

``offshoring explore SPEC --out DIR`` (front end ``offshoring/commands/explore.py``,
``pipeline.explore``) samples worlds over the uncertain parameters (``worlds``), keeps
those that reproduce the published patterns by approximate Bayesian computation by
rejection (``accept``), runs every strategy in every plausible world with common random
numbers, and reports the probability that each strategy beats staying home, its regret
(``answers``) and where it pays (``discover``: PRIM and CART of ``ema_workbench``).
Every run is a job of the sweep engine (``execute``: ``run_jobs`` into the folder's
``JobStore``). ``ema`` exposes the model to EMA Workbench users and ``report.section``
renders the "What we cannot rule out" section. See docs/explore.md.
"""
