"""Agent-based model of relocating customer relations offshore (Mesa 3.5).

Three lines in a notebook::

    from model import OffshoringModel, scenario
    m = OffshoringModel(scenario("offshore-morocco", n_customers=5000), rng=1)
    m.run_for(520); m.kpis(); m.summary()
"""

from model.agents import Customer, Firm, HomeStaff, OffshoreVendor
from model.config import load_toml
from model.model import OffshoringModel
from model.params import ParameterError, Params
from model.presets import SCENARIOS, scenario, site
from model.runner import RunResult, simulate

__all__ = [
    "Customer", "Firm", "HomeStaff", "OffshoreVendor", "OffshoringModel", "ParameterError",
    "Params", "RunResult", "SCENARIOS", "load_toml", "scenario", "simulate", "site",
]
