"""A per-agent reference implementation of the weekly customer rules (verification, benchmarks).

``ReferenceModel`` is an ``OffshoringModel`` whose customers are plain Mesa
agents (``ReferenceCustomer``) holding their state as Python attributes, with
their neighbours as Python lists of agents, activated with ``shuffle_do`` and
drawing per-agent random numbers one at a time: no numpy vectorisation of the
customer dynamics. Everything else is inherited unchanged: the parameters, the
firm, vendor and home-staff side (steps 1-3), the channels' queues and
resolution rates, accounting and the KPI rows. Only DESIGN.md steps 4-11 (and
the news events that reach customers) are rewritten, rule for rule, from the
vectorised kernels in model/.

It serves two purposes only:

* tests/test_reference.py checks that both implementations give statistically
  equivalent KPIs over many seeds (the vectorised kernels are the spec turned
  into array code; the reference is the spec read one customer at a time);
* ``offshoring bench`` times both in the same process.

The same seed gives the same network and the same initial population as the
vectorised model (both are drawn by the inherited constructor), but not the
same trajectory: the reference draws its per-customer random numbers from the
model's stdlib ``random.Random`` (Mesa's ``model.random``, seeded from the run's
seed, the stream ``shuffle_do`` uses) in activation order, twenty times faster
per scalar draw than ``numpy.random.Generator.random()``: a fair, not a
handicapped, per-agent baseline. Firm-side draws still come from ``model.rng``.

KPIs are computed by the inherited ``firm_kpis`` on a read-only snapshot of the
agents' state gathered once a week (``population``), so both implementations
report through exactly the same code.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields

import mesa
import numpy as np

from model.image import REPUTATION_IN_BASELINE
from model.model import OffshoringModel
from model.params import CustomerParams
from model.population import PREMIUM, PROSPECT, Population
from model.service import MISUNDERSTOOD_RESOLUTION, Channel


# ---------------------------------------------------------------- the customer agent
class ReferenceCustomer(mesa.Agent):
    """One customer with its own state and neighbour lists (DESIGN.md section 2).

    ``image`` is a list of the customer's image of every firm (0-1); ``strong``
    and ``weak`` list the neighbouring ``ReferenceCustomer`` agents.
    """

    def __init__(self, model: ReferenceModel, idx: int, firm: int, segment: int,
                 ethnocentrism: float, satisfaction: float, expectation: float,
                 image: Sequence[float], aware: bool, tenure: int, unresolved: int) -> None:
        super().__init__(model)
        self.idx = int(idx)
        self.firm = int(firm)
        self.segment = int(segment)
        self.ethnocentrism = float(ethnocentrism)
        self.satisfaction = float(satisfaction)
        self.expectation = float(expectation)
        self.image = [float(v) for v in image]
        self.aware = bool(aware)
        self.tenure = int(tenure)
        self.unresolved = int(unresolved)
        self.valence = math.nan
        self.contacted = False  # contacted service this week
        self.strong: list[ReferenceCustomer] = []
        self.weak: list[ReferenceCustomer] = []

    @property
    def is_prospect(self) -> bool:
        return self.firm < 0

    @property
    def price(self) -> float:
        """Weekly price this customer pays (firms price alike), in currency per week."""
        m = self.model.params.market
        return m.price_mass * m.premium_price_factor if self.segment == PREMIUM else m.price_mass

    # 4, 5 ------------------------------------------------------------------
    def contact_probability(self) -> float:
        """Chance of contacting service this week: 1 - (1 - base)(1 - repeat); 0 for prospects."""
        if self.firm < 0:
            return 0.0
        m = self.model.params.market
        base = m.contact_rate_premium if self.segment == PREMIUM else m.contact_rate_mass
        repeat = m.repeat_contact_prob if self.unresolved > 0 else 0.0
        return 1.0 - (1.0 - base) * (1.0 - repeat)

    def contact(self, queues: dict[tuple[int, bool], list], firms: list) -> None:
        """Maybe contact service this week (step 4), and be routed (step 5).

        Contacts are appended to ``queues[(firm, offshore)]`` with their
        data-sensitivity flag. (A week without contact ends an unresolved
        streak, after the week's service: see ``age``.)
        """
        self.valence = math.nan
        m = self.model.params.market
        rnd = self.random.random
        self.contacted = self.firm >= 0 and rnd() < self.contact_probability()
        if not self.contacted:
            return
        sensitive = rnd() < m.sensitive_share
        firm = firms[self.firm]
        offshore = False
        if firm.alpha > 0:
            offshore = rnd() < firm.alpha
            if firm.tiered:
                offshore = offshore and self.segment != PREMIUM and not sensitive
        queues[(self.firm, offshore)].append((self, sensitive))

    # 6, 7 ------------------------------------------------------------------
    def serve(self, ch: Channel, sensitive: bool, reputation: float, out: dict) -> None:
        """One contact on channel ``ch``: outcome, quality, satisfaction, complaint.

        Appends the outcome to the lists in ``out`` (the channel's tally).
        """
        c: CustomerParams = self.model.params.customers
        rnd = self.random.random
        q = ch.queue
        abandoned = rnd() < q.p_abandon
        understood = not abandoned and rnd() < ch.language_fit
        p_res = ch.fcr if understood else ch.fcr * MISUNDERSTOOD_RESOLUTION
        resolved = not abandoned and rnd() < p_res
        if not abandoned and not resolved and rnd() < ch.escalation:
            resolved = True
        wait_score = 1.0 - min(1.0, q.mean_wait / self.model.params.market.patience_minutes)
        quality = (c.weight_resolution * resolved + c.weight_comprehension * understood
                   + ch.access_gain)
        if not abandoned:
            quality += c.weight_wait * wait_score + c.weight_orientation * ch.orientation
        quality = min(1.0, max(0.0, quality))
        if ch.offshore:
            if not abandoned and (not understood or rnd() < c.notice_prob):
                self.aware = True
            if self.aware:
                factor = c.sensitive_bias_factor if sensitive else 1.0
                bias = c.awareness_bias * self.ethnocentrism * factor
                quality = min(1.0, max(0.0, quality - bias))
        s = quality + c.disconfirmation_weight * (quality - self.expectation)
        s = min(1.0, max(0.0, s))
        weight = c.satisfaction_weight / (1.0 + self.tenure / c.satisfaction_tenure_weeks)
        self.satisfaction += weight * (s - self.satisfaction)
        target = c.expectation_anchor * reputation + (1 - c.expectation_anchor) * quality
        self.expectation += c.expectation_rate * (target - self.expectation)
        self.unresolved = 0 if resolved else self.unresolved + 1
        self.valence = s
        complained = s < c.dissatisfied_below and rnd() < c.complaint_prob
        for key, value in (("abandoned", abandoned), ("resolved", resolved),
                           ("understood", understood), ("quality", quality), ("s", s),
                           ("complaints", complained)):
            out[key].append(value)

    # 8 ---------------------------------------------------------------------
    def tell(self, positive: bool) -> None:
        """Word of mouth: tell each neighbour with a per-tie probability (step 8)."""
        c: CustomerParams = self.model.params.customers
        if positive and not self.valence > c.satisfied_above:
            return
        if not positive and not self.valence < c.dissatisfied_below:
            return
        p = c.wom_pos_prob if positive else c.wom_neg_prob
        keep = 1.0 - c.wom_influence
        f = self.firm
        rnd = self.random.random
        for ties, prob in ((self.strong, p), (self.weak, p * c.weak_tie_factor)):
            if prob <= 0:
                continue
            for other in ties:
                if rnd() < prob:
                    img = other.image
                    img[f] = 1.0 - (1.0 - img[f]) * keep if positive else img[f] * keep

    # 9, 10 -----------------------------------------------------------------
    def age(self, base: Sequence[float], sums: list[float], churners: list,
            prospects: list) -> None:
        """Image and awareness memory (step 9), then the churn decision (step 10).

        First ends the unresolved streak of a customer without contact this
        week (the vectorised model does it at the end of service; nothing reads
        it in between). Adds the decayed images to ``sums`` (for reputation); a churner is
        appended to ``churners`` (it switches once reputations are updated),
        a prospect to ``prospects``.
        """
        c: CustomerParams = self.model.params.customers
        if not self.contacted:
            self.unresolved = 0  # no contact this week: the streak ends
        if self.aware and self.random.random() < c.awareness_fade:
            self.aware = False  # nothing reminded this customer: awareness fades
        img = self.image
        for j, b in enumerate(base):
            img[j] += c.image_memory * (b - img[j])
            sums[j] += img[j]
        if self.firm < 0:
            prospects.append(self)
            return
        self.tenure += 1
        if self.random.random() < self.churn_probability():
            churners.append(self)

    def churn_probability(self) -> float:
        """Weekly churn probability 1 - exp(-h0 r) of a customer (step 10).

        r = [(1 - sigma) + sigma exp(b_S (S_ref - S) + b_I max(0, best rival - own image))]
        x (rho_U if a problem is unresolved).
        """
        c: CustomerParams = self.model.params.customers
        img, f = self.image, self.firm
        rival = max(v for j, v in enumerate(img) if j != f)
        x = (c.churn_satisfaction_beta * (c.satisfaction_reference - self.satisfaction)
             + c.churn_image_beta * max(0.0, rival - img[f]))
        sigma = c.churn_responsive_share
        r = (1 - sigma) + sigma * math.exp(x)
        if self.unresolved > 0:
            r *= c.churn_unresolved_ratio
        return -math.expm1(-self.model.base_hazard * r)

    def switch_utilities(self) -> list[float]:
        """Logit utility of each rival (own firm: -inf) and, last, of leaving the market."""
        c: CustomerParams = self.model.params.customers
        u = [c.logit_image * v - c.logit_price * self.price if j != self.firm else -math.inf
             for j, v in enumerate(self.image)]
        return [*u, c.leave_utility]

    def switch(self, prospects: list) -> int:
        """A churner picks a rival or leaves the market by logit (step 10); returns it."""
        dest = _logit_draw(self.switch_utilities(), self.random.random())
        dest = PROSPECT if dest == len(self.image) else dest
        self.join(dest)
        if dest == PROSPECT:
            prospects.append(self)
        return dest

    # 11 --------------------------------------------------------------------
    def adoption_probability(self) -> float:
        """A prospect adopts w.p. 1 - (1-a)(1-b_s)^n_s (1-b_w)^n_w (step 11).

        n_s, n_w: strong and weak neighbours who are satisfied customers of a firm.
        """
        c: CustomerParams = self.model.params.customers
        above = c.satisfied_above
        n_s = sum(1 for o in self.strong if o.firm >= 0 and o.satisfaction > above)
        n_w = sum(1 for o in self.weak if o.firm >= 0 and o.satisfaction > above)
        b_w = c.adoption_wom * c.weak_tie_factor
        return 1.0 - (1.0 - c.adoption_ad) * (1.0 - c.adoption_wom) ** n_s * (1.0 - b_w) ** n_w

    def considers_adopting(self) -> bool:
        """Draws this week's adoption decision (before anyone adopts)."""
        return self.random.random() < self.adoption_probability()

    def adoption_utilities(self) -> list[float]:
        """Logit utility of each firm for a prospect who adopts."""
        c: CustomerParams = self.model.params.customers
        return [c.logit_image * v - c.logit_price * self.price for v in self.image]

    def adopt(self) -> int:
        """Choose a firm by logit over images and prices, and join it; returns it."""
        dest = _logit_draw(self.adoption_utilities(), self.random.random())
        self.join(dest)
        return dest

    def join(self, dest: int) -> None:
        """Become a customer of ``dest`` (or a prospect): a fresh relationship."""
        c: CustomerParams = self.model.params.customers
        self.firm = dest
        self.tenure = 0
        self.unresolved = 0
        self.aware = False
        self.satisfaction = c.satisfaction_reference
        if dest >= 0:
            self.expectation = float(np.float32(self.model.firms[dest].reputation))

    # news ------------------------------------------------------------------
    def hear_news(self, firm: int, salience: float, reach: float, aware: bool) -> None:
        """A news story about ``firm`` reaches this customer w.p. ``reach``."""
        if self.random.random() >= reach:
            return
        loss = salience * (0.5 + self.ethnocentrism)
        self.image[firm] = min(1.0, max(0.0, self.image[firm] - loss))
        if aware and self.firm == firm:
            self.aware = True


_OUTCOMES = ("abandoned", "resolved", "understood", "quality", "s", "complaints")


def _logit_draw(utility: list[float], u: float) -> int:
    """Index drawn with multinomial-logit probabilities, from one uniform ``u``."""
    top = max(utility)
    w = [math.exp(v - top) for v in utility]
    total = sum(w)
    acc = 0.0
    for j, wj in enumerate(w):
        acc += wj / total
        if u < acc:
            return j
    return max(j for j, wj in enumerate(w) if wj > 0)


# ---------------------------------------------------------------- snapshot for reporting
_SNAPSHOT_DTYPES = {f.name: t for f, t in zip(fields(Population), (
    np.int16, np.int8, np.float32, np.float32, np.float32, np.float32, bool, np.int32, np.int16,
    np.float32), strict=True)}


class _Snapshot:
    """Population-like read-only arrays gathered from the agents on first access.

    The inherited accounting, KPI rows and reporters read ``model.population``;
    this gives them the same arrays without the reference keeping any.
    """

    def __init__(self, agents: list[ReferenceCustomer], n_firms: int,
                 writeable: bool = False) -> None:
        self._agents = agents
        self._m = n_firms
        self._writeable = writeable

    def __getattr__(self, name: str) -> np.ndarray:
        if name not in _SNAPSHOT_DTYPES:
            raise AttributeError(name)
        agents = self._agents
        if name == "image":
            arr = np.array([a.image for a in agents], dtype=np.float32).reshape(-1, self._m)
        else:
            arr = np.fromiter((getattr(a, name) for a in agents), _SNAPSHOT_DTYPES[name],
                              count=len(agents))
        arr.flags.writeable = self._writeable
        self.__dict__[name] = arr
        return arr

    @property
    def n(self) -> int:
        return len(self._agents)

    @property
    def n_firms(self) -> int:
        return self._m

    def counts(self) -> np.ndarray:
        active = self.firm[self.firm >= 0]
        return np.bincount(active, minlength=self._m)


# ---------------------------------------------------------------- the model
class ReferenceModel(OffshoringModel):
    """``OffshoringModel`` with per-agent customers (see the module docstring)."""

    def __init__(self, params=None, *, rng=None) -> None:
        self._ref_agents: list[ReferenceCustomer] = []
        self._ref_set: mesa.agent.AgentSet | None = None
        self._snapshot: _Snapshot | None = None
        self.agent_build_seconds = 0.0  # creating the agents and their neighbour lists (s)
        super().__init__(params, rng=rng)

    # --- customers ------------------------------------------------------------
    @property
    def population(self) -> _Snapshot:
        """The customers' state as arrays, read-only, for the inherited reporting code.

        Gathered field by field on first use and kept until the customers next
        change (the weekly steps and news events invalidate it); ``state()``
        takes a complete copy at once.
        """
        if self._snapshot is None:
            self._snapshot = _Snapshot(self._ref_agents, self.params.n_firms)
        return self._snapshot

    def state(self) -> _Snapshot:
        """A copy of every customer's state now, as population arrays (all fields read now)."""
        snap = _Snapshot(self._ref_agents, self.params.n_firms)
        for name in _SNAPSHOT_DTYPES:
            getattr(snap, name)
        return snap

    @population.setter
    def population(self, pop: Population) -> None:
        """The inherited constructor's initial population becomes agents here."""
        t0 = time.perf_counter()
        self._ref_set = self._create_customers(pop)
        self.agent_build_seconds = time.perf_counter() - t0
        self._snapshot = None

    def _create_customers(self, pop: Population) -> mesa.agent.AgentSet:
        n = pop.n
        agents = ReferenceCustomer.create_agents(
            self, n, idx=list(range(n)), firm=pop.firm.tolist(), segment=pop.segment.tolist(),
            ethnocentrism=pop.ethnocentrism.tolist(), satisfaction=pop.satisfaction.tolist(),
            expectation=pop.expectation.tolist(), image=pop.image.tolist(),
            aware=pop.aware.tolist(), tenure=pop.tenure.tolist(),
            unresolved=pop.unresolved.tolist())
        self._ref_agents = list(agents)  # creation order: agent k is row k
        for attr, adj in (("strong", self.network.strong), ("weak", self.network.weak)):
            ptr, ind = adj.indptr, adj.indices.tolist()
            for i, a in enumerate(self._ref_agents):
                setattr(a, attr, [self._ref_agents[j] for j in ind[ptr[i]:ptr[i + 1]]])
        return agents

    @property
    def customers(self) -> mesa.agent.AgentSet:
        """The customer agents."""
        return self._ref_set

    @contextmanager
    def _writeable_population(self) -> Iterator[_Snapshot]:
        """A mutable snapshot for inherited firm-side code that edits customers' arrays.

        Rows the code changed are written back to their agents afterwards.
        """
        snap = _Snapshot(self._ref_agents, self.params.n_firms, writeable=True)
        before = {name: getattr(snap, name).copy() for name in _SNAPSHOT_DTYPES}
        self._snapshot = snap
        yield snap
        for name, old in before.items():
            changed = _changed_rows(old, getattr(snap, name))
            for i in changed.tolist():
                setattr(self._ref_agents[i], name, getattr(snap, name)[i].tolist())
        self._snapshot = None

    # --- schedule -------------------------------------------------------------
    def _week(self, w: int) -> None:
        """The weekly schedule of the parent, with steps 4-11 run agent by agent."""
        self._snapshot = None
        self.calendar_and_events(w)                       # 1
        self.firm_decisions()                             # 2
        self.workforce()                                  # 3
        queues = self.ref_demand_and_routing()            # 4, 5
        talkers = self.ref_service(queues)                # 6, 7
        self.ref_word_of_mouth(talkers)                   # 8
        prospects = self.ref_memory_churn_switching()     # 9, 10
        self.ref_acquisition(prospects)                   # 11
        self._snapshot = None
        self.accounting(w)                                # 12
        self.observation(w)                               # 13

    def ref_demand_and_routing(self) -> dict[tuple[int, bool], list]:
        queues: dict[tuple[int, bool], list] = {(f.index, off): [] for f in self.firms
                                                for off in (False, True)}
        self._ref_set.shuffle_do("contact", queues, self.firms)
        return queues

    def ref_service(self, queues: dict[tuple[int, bool], list]) -> list[ReferenceCustomer]:
        """Serve every queue on its firm's home or vendor channel (the parent's channel).

        The per-contact outcomes are summed as ``service.TALLY`` and added by the parent's
        ``_tally``.
        """
        talkers: list[ReferenceCustomer] = []
        for firm in self.firms:
            fw = self.this_week[firm.index]
            rep = float(np.float32(firm.reputation))
            for offshore in (False, True):
                queue = queues[(firm.index, offshore)]
                fw.contacts += len(queue)
                if not queue:
                    continue
                ch = self.channel(firm, offshore, len(queue))
                out: dict[str, list] = {k: [] for k in _OUTCOMES}
                for agent, sensitive in queue:
                    agent.serve(ch, sensitive, rep, out)
                    talkers.append(agent)
                a = {k: np.array(v) for k, v in out.items()}
                s = a["s"].astype(float)
                sums = {"contacts": len(queue), "answered": int((~a["abandoned"]).sum()),
                        "resolved": int(a["resolved"].sum()),
                        "abandoned": int(a["abandoned"].sum()), "s_sum": float(s.sum()),
                        "s_sq": float((s**2).sum()), "complaints": int(a["complaints"].sum()),
                        "q_sum": float(a["quality"].sum())}
                self._tally(fw, ch, sums, offshore)
        return talkers

    def ref_word_of_mouth(self, talkers: list[ReferenceCustomer]) -> None:
        group = mesa.agent.AgentSet(talkers, random=self.random)
        group.shuffle_do("tell", True)
        group.shuffle_do("tell", False)

    def ref_memory_churn_switching(self) -> list[ReferenceCustomer]:
        """Image decay and churn decisions for all, reputations, then the churners switch."""
        base = [(1 - REPUTATION_IN_BASELINE) * f.equity + REPUTATION_IN_BASELINE * f.reputation
                for f in self.firms]
        sums = [0.0] * len(self.firms)
        churners: list[ReferenceCustomer] = []
        prospects: list[ReferenceCustomer] = []
        self._ref_set.shuffle_do("age", base, sums, churners, prospects)
        rate, n = self.params.customers.reputation_rate, len(self._ref_agents)
        for f, total in zip(self.firms, sums, strict=True):
            f.reputation = float(f.reputation + rate * (total / n - f.reputation))
        for agent in churners:
            self.this_week[agent.firm].churned += 1
        for agent in churners:
            dest = agent.switch(prospects)
            if dest >= 0:
                self.this_week[dest].acquired += 1
        return prospects

    def ref_acquisition(self, prospects: list[ReferenceCustomer]) -> None:
        """Prospects decide against this week's satisfied neighbours, then adopt."""
        adopters = [a for a in prospects if a.considers_adopting()]
        for agent in adopters:
            self.this_week[agent.adopt()].acquired += 1

    # --- customer side of firm events --------------------------------------
    def news(self, firm, salience: float, aware: bool) -> None:
        mark = aware and firm.planned_alpha > 0 and not self.params.destination.onshore_outsourcer
        self._ref_set.shuffle_do("hear_news", firm.index, salience,
                                 self.params.customers.media_reach, mark)
        self._snapshot = None

    def forget_offshore(self, firm) -> None:
        with self._writeable_population():
            super().forget_offshore(firm)


def _changed_rows(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Indices of the rows that differ (NaN equals NaN)."""
    same = (old == new) | (np.isnan(old) & np.isnan(new)) if old.dtype.kind == "f" \
        else old == new
    return np.flatnonzero(~same.reshape(len(old), -1).all(axis=1))


# ---------------------------------------------------------------- replicate runs (tests)
#: KPIs whose per-run means the equivalence test compares (per firm).
EQUIVALENCE_KPIS = ("market_share", "churn_monthly", "image_all", "csat")


def kpi_means(job: tuple[str, str, int, int, int]) -> dict[str, float]:
    """Per-firm means over the horizon of ``EQUIVALENCE_KPIS`` for one run.

    ``job`` = (implementation "vectorised" or "reference", scenario, customers,
    weeks, seed). A module-level function so that worker processes can run it.
    """
    from model.presets import scenario

    kind, name, n, weeks, seed = job
    cls = ReferenceModel if kind == "reference" else OffshoringModel
    model = cls(scenario(name, n_customers=n, weeks=weeks), rng=np.random.SeedSequence(seed))
    model.run_for(weeks)
    means = model.kpis().groupby("firm")[list(EQUIVALENCE_KPIS)].mean()
    return {f"{kpi}[{f}]": float(means.loc[f, kpi]) for f in means.index
            for kpi in EQUIVALENCE_KPIS}
