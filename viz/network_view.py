"""The customer network: a layout computed once per network, node colours each week.

Mesa 3.5.1's network drawer runs ``nx.spring_layout`` on construction and on every Reset
(~15 s at 2,000 nodes) and redraws every edge each frame. Here:

* **Layout, once per model, showing who belongs to whom.** Customers are placed in one
  disc per firm (and one for prospects) by the firm they buy from at week 0, after the
  burn-in; a disc's area is its share of the drawn customers. Inside a disc they sit on an
  Archimedean spiral in the order of the network's ring (the Watts-Strogatz lattice of
  :mod:`model.network`; arrival order for Barabasi-Albert), evenly spaced along the arm, so
  a customer's strong ties are its neighbours along the arm and ties to other firms'
  customers are the faint chords between discs. Colour is the firm *now*: as the run goes
  on, the focal firm's losses show as rival-coloured dots in its blue disc. The layout
  costs O(n), is deterministic (same network and week-0 firms, same layout) and is cached
  by their content, so a Reset that rebuilds the same market reuses it.
* **Sampled above** :data:`DRAW_MAX` **customers**: a uniform random sample (fixed per
  network, drawn from a generator seeded by the network itself, never the model's) keeps
  the picture readable and the frame cheap; the title says so.
* **Edges once.** The ties are one ``LineCollection`` in the static background of a
  :class:`~viz.figures.BlitFigure`; each week only the node colours change.

Colour is the customer's firm (prospects grey), shaded from pale (cumulative satisfaction
at or below ``customers.dissatisfied_below``) to deep (at or above
``customers.satisfied_above``); a dark ring marks a customer who knows they are served
offshore.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

import numpy as np
import scipy.sparse as sp
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb
from matplotlib.lines import Line2D

from model import OffshoringModel
from model.network import SocialNetwork
from viz.figures import FONT, BlitFigure, firm_colour, firm_label

DRAW_MAX = 2_000  # customers drawn at most; a sample above that
PROSPECT_GREY = (0.78, 0.78, 0.78)
PALEST = 0.15  # share of the firm colour left at the lowest satisfaction
CACHE_SIZE = 8


@dataclass(frozen=True)
class Layout:
    """Positions of the drawn customers and the ties among them."""

    nodes: np.ndarray  # indices of the drawn customers, ascending
    positions: np.ndarray  # (len(nodes), 2)
    segments: np.ndarray  # (ties, 2, 2) line segments of the ties among drawn customers
    weak: np.ndarray  # (ties,) bool: the tie is a weak (rewired) tie
    total: int  # customers in the network
    groups: tuple[tuple[int, float, float, float], ...] = ()  # (firm, x, y, radius) of a disc


def spiral(n: int) -> np.ndarray:
    """``n`` points evenly spaced along an Archimedean spiral filling the unit disc.

    Radius grows as sqrt(i / n), so arc length grows linearly with i (equal spacing along
    the arm); ``sqrt(n / pi)`` turns make the gap between turns equal the gap between
    neighbours, as on a square grid.
    """
    i = np.arange(n) + 0.5
    r = np.sqrt(i / n)
    theta = 2 * np.pi * np.sqrt(n / np.pi) * r
    return np.column_stack([r * np.cos(theta), r * np.sin(theta)])


def digest(network: SocialNetwork, firm: np.ndarray | None = None) -> str:
    """A content hash of the network and the customers' firms (the layout cache key)."""
    h = hashlib.sha256()
    for mat in (network.strong, network.weak):
        h.update(np.int64(mat.shape[0]).tobytes())
        h.update(np.ascontiguousarray(mat.indptr).tobytes())
        h.update(np.ascontiguousarray(mat.indices).tobytes())
    if firm is not None:
        h.update(np.ascontiguousarray(firm, dtype=np.int64).tobytes())
    return h.hexdigest()


GROUP_RING = 0.56  # radius of the circle the discs' centres sit on
GROUP_MAX = 0.44  # radius of a disc holding every drawn customer


def group_discs(sizes: list[tuple[int, int]]) -> list[tuple[int, float, float, float]]:
    """(group, x, y, radius) of one disc per group, area proportional to its size.

    Centres are spread on a circle, the focal firm (group 0) on the left, the others
    clockwise, prospects (group -1) last; a lone group sits in the middle.
    """
    total = sum(n for _, n in sizes) or 1
    if len(sizes) == 1:
        return [(sizes[0][0], 0.0, 0.0, 1.0)]
    discs = []
    for i, (group, n) in enumerate(sizes):
        angle = np.pi - 2 * np.pi * i / len(sizes)
        r = GROUP_MAX * np.sqrt(n / total)
        discs.append((group, float(GROUP_RING * np.cos(angle)),
                      float(GROUP_RING * np.sin(angle)), float(r)))
    return discs


def sample(n: int, key: str, limit: int = DRAW_MAX) -> np.ndarray:
    """Indices of the customers to draw: all, or ``limit`` of them chosen at random.

    The generator is seeded from the network digest, so the sample is fixed per network
    and never touches the model's own random stream.
    """
    if n <= limit:
        return np.arange(n)
    rng = np.random.default_rng(np.random.SeedSequence(int(key[:16], 16)))
    return np.sort(rng.choice(n, size=limit, replace=False))


def compute_layout(network: SocialNetwork, key: str, firm: np.ndarray | None = None
                   ) -> Layout:
    """Positions of the drawn customers (a disc per week-0 firm, a spiral in ring order
    inside each) and the segments of their ties."""
    nodes = sample(network.n, key)
    group = np.zeros(nodes.size, dtype=np.int64) if firm is None else \
        np.asarray(firm)[nodes].astype(np.int64)
    order = sorted(set(group.tolist()), key=lambda g: (g < 0, g))  # firms, then prospects
    discs = group_discs([(g, int((group == g).sum())) for g in order])
    positions = np.empty((nodes.size, 2))
    for g, x, y, r in discs:
        members = np.flatnonzero(group == g)  # ascending: ring order
        positions[members] = spiral(members.size) * r + (x, y)
    segs, weak = [], []
    for mat, is_weak in ((network.strong, False), (network.weak, True)):
        sub = sp.triu(mat[nodes][:, nodes], k=1).tocoo()
        segs.append(np.stack([positions[sub.row], positions[sub.col]], axis=1))
        weak.append(np.full(sub.row.size, is_weak))
    return Layout(nodes, positions, np.concatenate(segs), np.concatenate(weak), network.n,
                  tuple(discs))


class LayoutCache:
    """Layouts by network digest, least recently used dropped; shared by all sessions.

    Layouts are immutable, so sharing them is safe; models never are shared.
    """

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[str, Layout] = OrderedDict()
        self._lock = Lock()
        self.computed = 0  # layouts computed so far (tests check the caching)

    def get(self, network: SocialNetwork, firm: np.ndarray | None = None) -> Layout:
        key = digest(network, firm)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        layout = compute_layout(network, key, firm)
        with self._lock:
            self._items[key] = layout
            self.computed += 1
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return layout


LAYOUTS = LayoutCache()


def node_colours(firm: np.ndarray, satisfaction: np.ndarray, low: float, high: float
                 ) -> np.ndarray:
    """RGB per customer: firm colour blended toward white as satisfaction falls."""
    n_firms = int(firm.max()) + 1 if firm.size and firm.max() >= 0 else 1
    palette = np.array([to_rgb(firm_colour(f)) for f in range(n_firms)])
    base = palette[np.maximum(firm, 0)]
    level = np.clip((satisfaction - low) / max(high - low, 1e-9), 0.0, 1.0)
    depth = PALEST + (1 - PALEST) * level
    rgb = 1.0 - depth[:, None] * (1.0 - base)
    rgb[firm < 0] = PROSPECT_GREY
    return rgb


class NetworkFigure(BlitFigure):
    """The network tile of one model: ties in the background, nodes and title animated."""

    def __init__(self, model: OffshoringModel, layouts: LayoutCache = LAYOUTS) -> None:
        super().__init__()
        self.layout = layouts.get(model.network, model.population.firm.copy())
        lay = self.layout
        c = model.params.customers
        self.low, self.high = c.dissatisfied_below, c.satisfied_above
        ax = self.fig.add_axes((0.0, 0.0, 0.74, 0.84))
        ax.set_axis_off()
        ax.set_aspect("equal")
        colours = np.where(lay.weak[:, None], [[0.35, 0.35, 0.35, 0.16]],
                           [[0.55, 0.55, 0.55, 0.10]])
        ax.add_collection(LineCollection(lay.segments, colors=colours, linewidths=0.4))
        size = float(np.clip(9000 / max(lay.nodes.size, 1), 3, 40))
        # fill-only nodes draw ~3x faster than outlined ones: rings are a second, sparse layer
        self.nodes = ax.scatter(lay.positions[:, 0], lay.positions[:, 1], s=size,
                                linewidths=0, edgecolors="none", animated=True)
        self.rings = ax.scatter(np.empty(0), np.empty(0), s=size, facecolors="none",
                                edgecolors="black", linewidths=0.7, animated=True)
        ax.set_xlim(-1.03, 1.03)
        ax.set_ylim(-1.03, 1.03)
        for g, x, y, r in lay.groups:
            name = "prospects" if g < 0 else firm_label(g)
            ax.text(x, y - r - 0.03, name, ha="center", va="top", fontsize=FONT,
                    color="#333333")
        self.title = self.fig.text(0.01, 0.975, "", fontsize=FONT + 2, weight="bold",
                                   va="top", animated=True)
        total, drawn = lay.total, lay.nodes.size
        who = f"{total:,} customers" if drawn == total else \
            f"a random sample of {drawn:,} of {total:,} customers"
        self.fig.text(0.01, 0.925, f"{who},\nplaced by their firm at week 0; colour: their "
                      "firm now", fontsize=FONT, va="top", color="#333333", linespacing=1.3)
        self._legend(model.params.n_firms)

    def _legend(self, n_firms: int) -> None:
        """Static key: firm colours, the satisfaction shading and the awareness ring."""
        def dot(colour: object, edge: object = "none") -> Line2D:
            return Line2D([], [], ls="", marker="o", ms=6, mfc=colour, mec=edge)

        handles = [dot(firm_colour(f)) for f in range(n_firms)]
        labels = [firm_label(f) for f in range(n_firms)]
        pale = 1.0 - PALEST * (1.0 - np.array(to_rgb(firm_colour(0))))
        handles += [dot(PROSPECT_GREY), dot(tuple(pale)), dot("white", "black")]
        labels += ["prospect (no firm)", "pale: dissatisfied", "ring: knows it is\nserved offshore"]
        self.fig.legend(handles, labels, loc="center left", bbox_to_anchor=(0.70, 0.5),
                        fontsize=FONT, frameon=False, handletextpad=0.3, labelspacing=0.9)

    def dynamic_artists(self) -> list:
        return [self.nodes, self.rings, self.title]

    def update(self, model: OffshoringModel) -> None:
        """Colour the drawn customers by firm and satisfaction; ring the aware ones."""
        pop, idx = model.population, self.layout.nodes
        firm = pop.firm[idx]
        self.nodes.set_facecolors(node_colours(firm, pop.satisfaction[idx], self.low,
                                               self.high))
        self.rings.set_offsets(self.layout.positions[pop.aware[idx]])
        self.title.set_text(f"Customer network, week {int(round(model.time))}")
