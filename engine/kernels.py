"""Compiled inner loops (numba), imported only by the functions that need them.

Each kernel has a plain-Python twin in the module that calls it, for tests and for the speed
benchmarks' baselines; both must give the same answer.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True)
def dp_bid(v_prev: np.ndarray, theta: float, budget: int, max_bid: int) -> int:
    """Largest bid d <= min(budget, max_bid) with theta >= V(b) - V(b - d) (binary search: the
    right side grows with d because V grows with the budget)."""
    hi = min(budget, max_bid)
    vb = v_prev[budget]
    lo = 0
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if theta + v_prev[budget - mid] - vb >= 0.0:
            lo = mid
        else:
            hi = mid - 1
    return lo


@njit(cache=True)
def replay_dp(
    clicks: np.ndarray, price: np.ndarray, pctr: np.ndarray, value: np.ndarray, budget: int, episode: int, max_bid: int
) -> np.ndarray:
    """Replay the value-function strategy; returns [clicks, impressions, cost]."""
    n = clicks.shape[0]
    won_clicks = 0
    won = 0
    spent = 0
    start = 0
    while start < n:
        length = min(episode, n - start)
        left = budget
        for j in range(length):
            i = start + j
            a = dp_bid(value[length - j - 1], pctr[i], left, max_bid)
            if a >= price[i]:
                left -= price[i]
                won += 1
                won_clicks += clicks[i]
        spent += budget - left
        start += episode
    return np.array([won_clicks, won, spent])


@njit(cache=True, parallel=True)
def value_step(prev: np.ndarray, pdf: np.ndarray, mu: float, out: np.ndarray) -> None:
    """One step of the value recursion: out(b) = prev(b) + sum_d pdf(d) mu exp(-(prev(b) - prev(b-d)) / mu)."""
    nb = prev.shape[0]
    nd = pdf.shape[0]
    for b in prange(nb):
        acc = 0.0
        top = min(b, nd - 1)
        for d in range(top + 1):
            acc += pdf[d] * mu * np.exp(-(prev[b] - prev[b - d]) / mu)
        out[b] = prev[b] + acc


@njit(cache=True, parallel=True)
def value_step_mean(prev: np.ndarray, pdf: np.ndarray, theta: float, out: np.ndarray) -> None:
    """RLB's step with every impression worth the mean CTR: out(b) = prev(b) + sum_d pdf(d) max(0, theta - (prev(b) - prev(b-d)))."""
    nb = prev.shape[0]
    nd = pdf.shape[0]
    for b in prange(nb):
        acc = 0.0
        top = min(b, nd - 1)
        for d in range(top + 1):
            gain = theta - (prev[b] - prev[b - d])
            if gain > 0.0:
                acc += pdf[d] * gain
        out[b] = prev[b] + acc


@njit(cache=True, parallel=True)
def score_hashed(weights: np.ndarray, idx: np.ndarray, val: np.ndarray, bias: float) -> np.ndarray:
    """Logistic score of each row: sigmoid(bias + sum_j weights[idx[i, j]] * val[i, j])."""
    n, k = idx.shape
    out = np.empty(n)
    for i in prange(n):
        z = bias
        for j in range(k):
            z += weights[idx[i, j]] * val[i, j]
        out[i] = 1.0 / (1.0 + np.exp(-z))
    return out
