"""The customers' social network as sparse adjacency matrices of strong and weak ties.

Watts-Strogatz (default): ties of the ring lattice that survive rewiring are
strong ties, rewired ties are weak ties (they bridge distant groups, as in
Goldenberg, Libai & Muller 2001). Barabasi-Albert: every tie is strong.
The graph is drawn from the run's numpy Generator, so the same seed gives the
same network. Built directly as CSR arrays: no networkx object graph is needed
at a million customers (``to_networkx`` makes one for small drawings).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from model.params import NetworkKind, NetworkParams

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True)
class SocialNetwork:
    """Symmetric 0/1 adjacency (float32 CSR) of strong and of weak ties."""

    strong: sp.csr_matrix
    weak: sp.csr_matrix

    @property
    def n(self) -> int:
        return self.strong.shape[0]

    @property
    def all_ties(self) -> sp.csr_matrix:
        return (self.strong + self.weak).tocsr()

    def degree(self) -> np.ndarray:
        return np.asarray(self.all_ties.sum(axis=1)).ravel()

    def to_networkx(self) -> nx.Graph:
        """An undirected networkx graph (edge attribute ``weak``) for drawing."""
        import networkx as nx  # on demand: a run does not need it (start time)

        g = nx.Graph()
        g.add_nodes_from(range(self.n))
        for mat, weak in ((self.strong, False), (self.weak, True)):
            coo = sp.triu(mat, k=1).tocoo()
            g.add_edges_from(zip(coo.row.tolist(), coo.col.tolist(), strict=True), weak=weak)
        return g


def _symmetric(n: int, i: np.ndarray, j: np.ndarray) -> sp.csr_matrix:
    keep = i != j
    i, j = i[keep], j[keep]
    data = np.ones(2 * len(i), dtype=np.float32)
    m = sp.csr_matrix((data, (np.r_[i, j], np.r_[j, i])), shape=(n, n))
    m.sum_duplicates()
    m.data[:] = 1.0
    return m


def watts_strogatz(n: int, degree: int, rewiring: float, rng: np.random.Generator
                   ) -> SocialNetwork:
    """Ring lattice of ``degree`` (rounded down to even) with each tie rewired w.p. ``rewiring``."""
    half = max(1, degree // 2)
    src = np.repeat(np.arange(n), half)
    dst = (src + np.tile(np.arange(1, half + 1), n)) % n
    rewire = rng.random(src.size) < rewiring
    new_dst = rng.integers(0, n, size=int(rewire.sum()))
    strong = _symmetric(n, src[~rewire], dst[~rewire])
    weak = _symmetric(n, src[rewire], new_dst)
    weak = weak - weak.multiply(strong)  # a pair tied both ways counts as strong
    weak.eliminate_zeros()
    return SocialNetwork(strong, weak.tocsr())


def barabasi_albert(n: int, degree: int, rng: np.random.Generator) -> SocialNetwork:
    """Preferential attachment with ``degree // 2`` ties per newcomer (networkx, seeded)."""
    m = max(1, degree // 2)
    import networkx as nx  # on demand: only this network kind needs it (start time)

    g = nx.barabasi_albert_graph(n, m, seed=int(rng.integers(2**31)))
    edges = np.array(g.edges(), dtype=np.int64).reshape(-1, 2)
    strong = _symmetric(n, edges[:, 0], edges[:, 1])
    return SocialNetwork(strong, sp.csr_matrix((n, n), dtype=np.float32))


def build_network(n: int, p: NetworkParams, rng: np.random.Generator) -> SocialNetwork:
    """The network of ``n`` customers described by ``p``."""
    if p.kind == NetworkKind.barabasi_albert:
        return barabasi_albert(n, p.degree, rng)
    return watts_strogatz(n, p.degree, p.rewiring, rng)
