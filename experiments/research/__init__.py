"""The research reproduction: one module per figure or table of docs/results.md.

Each module exposes ``build(scale, out_dir, workers) -> Artefact``; it runs the
model (common random numbers, seeds from ``numpy.random.SeedSequence``), writes
its figure (PNG and SVG) and/or table (CSV and Markdown) into ``out_dir`` and a
JSON metadata file with the parameters, seeds, replicates, code version and
runtime. ``experiments.research.report`` assembles docs/results.md from the
metadata; ``offshoring reproduce`` (offshoring/commands/reproduce.py) drives it all.
The exploration (``plausible_worlds``) runs an explore spec into ``out_dir/explore/``
instead; the page renders its section from that folder's files.
"""

#: Figures and tables in the order of the results page (number = position + 1).
FIGURES = ("strategies", "cutover", "phase_maps", "practices", "adaptive", "shocks",
           "morris", "calibration")
#: Everything ``offshoring reproduce`` builds: the figures and tables, then the
#: exploration under deep uncertainty (``experiments.explore``, folder ``results/explore/``,
#: the section "What we cannot rule out" of the results page).
ARTEFACTS = (*FIGURES, "explore")
#: The module of experiments.research that builds each artefact (named for what it does).
MODULES = {name: name for name in ARTEFACTS} | {"calibration": "published_figures",
                                                "explore": "plausible_worlds"}
#: Reproduction targets of issue 6 and the artefact that decides each.
TARGETS = {"a": ("calibration", "Offshore satisfaction gap emerges from resolution and "
                 "comprehension"),
           "b": ("cutover", "Quality dips at cut-over and recovers to a plateau set by "
                 "attrition"),
           "c": ("adaptive", "Adaptive reshoring comes years later, is often partial, follows "
                 "complaints"),
           "d": ("strategies", "A churn rise of a few tenths of a point cancels a 30-40 % "
                 "labour saving")}
