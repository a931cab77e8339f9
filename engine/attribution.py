"""Multi-touch attribution: which channels deserve the credit for conversions that followed journeys
through several of them.

A journey is a path of channel touches ("a > b > c") with the conversions, the conversion value and
the non-converting ends ("nulls") seen after it. Journeys are encoded once as channel index arrays
(`Journeys`); every model is then a few array operations over all journeys at once:

- first touch, last touch and linear touch (each touch an equal share, repeats counted), as the
  ChannelAttribution package computes them;
- a first-order Markov chain start -> channels -> conversion / null solved exactly as an absorbing
  chain; a channel's removal effect is the drop in the conversion probability when every transition
  into it goes to null instead, and the credits are the removal effects scaled to the total (for
  value, a step to conversion from channel j earns the mean value of the conversions last touched by
  j, the value the ChannelAttribution package draws for it in its simulation);
- Shapley values of the game v(S) = conversions of the journeys whose channels all lie in S, over
  every coalition of channels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import factorial
from typing import Literal

import numpy as np

from engine import EngineError

Metric = Literal["conversions", "value"]
DEFAULT_SEP = ">"
MAX_SHAPLEY_CHANNELS = 16  # 2^16 coalitions; beyond that, group rare channels first


@dataclass(frozen=True)
class Journeys:
    """Journeys as arrays: the channel index of every touch, journeys one after another, and where
    each journey starts in it; per journey its conversions, conversion value and nulls."""

    channels: tuple[str, ...]
    touch: np.ndarray  # int64, one per touch
    start: np.ndarray  # int64, n + 1 offsets into `touch`
    conversions: np.ndarray
    value: np.ndarray
    nulls: np.ndarray

    @property
    def n(self) -> int:
        return int(self.start.size - 1)

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.start)

    @property
    def journey_of_touch(self) -> np.ndarray:
        return np.repeat(np.arange(self.n), self.lengths)

    @property
    def first(self) -> np.ndarray:
        """Each journey's first channel."""
        return self.touch[self.start[:-1]]

    @property
    def last(self) -> np.ndarray:
        """Each journey's last channel."""
        return self.touch[self.start[1:] - 1]


def _counts(name: str, values: Sequence[float] | np.ndarray | None, n: int) -> np.ndarray:
    if values is None:
        return np.zeros(n)
    out = np.asarray(values, dtype=float)
    if out.shape != (n,):
        raise EngineError(f"{name} must give one number per path ({n} paths, got shape {out.shape})")
    if not np.isfinite(out).all() or (out < 0).any():
        raise EngineError(f"{name} must be finite and not negative for every path")
    return out


def encode_paths(
    paths: Sequence[str] | np.ndarray,
    conversions: Sequence[float] | np.ndarray,
    value: Sequence[float] | np.ndarray | None = None,
    nulls: Sequence[float] | np.ndarray | None = None,
    *,
    sep: str = DEFAULT_SEP,
) -> Journeys:
    """Journeys from path strings such as "a > b > c" (channels split on `sep`, spaces trimmed);
    channels are numbered in sorted order of their names."""
    arr = np.asarray(paths, dtype=str)
    if arr.ndim != 1 or arr.size == 0:
        raise EngineError("paths must be a non-empty list of strings such as 'a > b > c'")
    if not sep:
        raise EngineError("the separator between channels must not be empty")
    n = int(arr.size)
    conv = _counts("conversions", conversions, n)
    val = _counts("value", value, n)
    null = _counts("nulls", nulls, n)
    lengths = np.char.count(arr, sep).astype(np.int64) + 1
    tokens = np.char.strip(np.array(sep.join(arr.tolist()).split(sep)))
    if (tokens == "").any():
        start = np.concatenate([[0], np.cumsum(lengths)])
        bad = int(np.searchsorted(start, int(np.flatnonzero(tokens == "")[0]), side="right")) - 1
        raise EngineError(f"path {bad + 1} ({arr[bad]!r}) has an empty channel name; write it as 'a {sep} b {sep} c'")
    channels, touch = np.unique(tokens, return_inverse=True)
    return Journeys(
        channels=tuple(str(c) for c in channels.tolist()),
        touch=touch.astype(np.int64).ravel(),
        start=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        conversions=conv,
        value=val,
        nulls=null,
    )


def credit_weights(j: Journeys, metric: Metric = "conversions") -> np.ndarray:
    """What is being credited, per journey: its conversions or its conversion value."""
    if metric == "conversions":
        return j.conversions
    if metric == "value":
        return j.value
    raise EngineError(f"metric must be 'conversions' or 'value', not {metric!r}")


def first_touch(j: Journeys, metric: Metric = "conversions") -> np.ndarray:
    """All of a journey's credit to its first channel."""
    return np.bincount(j.first, weights=credit_weights(j, metric), minlength=len(j.channels))


def last_touch(j: Journeys, metric: Metric = "conversions") -> np.ndarray:
    """All of a journey's credit to its last channel."""
    return np.bincount(j.last, weights=credit_weights(j, metric), minlength=len(j.channels))


def linear_touch(j: Journeys, metric: Metric = "conversions") -> np.ndarray:
    """A journey's credit split equally over its touches (a channel touched twice gets two shares)."""
    per_touch = (credit_weights(j, metric) / j.lengths)[j.journey_of_touch]
    return np.bincount(j.touch, weights=per_touch, minlength=len(j.channels))


def collapse_repeats(j: Journeys) -> Journeys:
    """The journeys with consecutive repeats of a channel merged ("a > a > b" -> "a > b"), as the
    ChannelAttribution package builds its Markov chain. For the exact chain it changes nothing (a
    self-loop does not change where a chain is absorbed); it keeps the chain small and clear."""
    keep = np.ones(j.touch.size, dtype=bool)
    keep[1:] = j.touch[1:] != j.touch[:-1]
    keep[j.start[:-1]] = True  # a journey's first touch, even if the journey before ended on it
    kept = np.concatenate([[0], np.cumsum(keep)])
    return Journeys(j.channels, j.touch[keep], kept[j.start], j.conversions, j.value, j.nulls)


def transition_counts(j: Journeys) -> np.ndarray:
    """Transition counts between the states start (0), the channels (1..C), conversion (C+1) and
    null (C+2): every step of a journey counts its conversions plus nulls, the step to conversion
    its conversions, the step to null its nulls."""
    c = len(j.channels)
    s = c + 3
    through = j.conversions + j.nulls
    inner = np.ones(j.touch.size, dtype=bool)
    inner[j.start[1:] - 1] = False  # a journey's last touch has no next touch
    idx = np.flatnonzero(inner)
    frm = np.concatenate([np.zeros(j.n, dtype=np.int64), j.touch[idx] + 1, j.last + 1, j.last + 1])
    to = np.concatenate([j.first + 1, j.touch[idx + 1] + 1, np.full(j.n, c + 1), np.full(j.n, c + 2)])
    w = np.concatenate([through, through[j.journey_of_touch[idx]], j.conversions, j.nulls])
    return np.bincount(frm * s + to, weights=w, minlength=s * s).reshape(s, s)


def transition_matrix(counts: np.ndarray) -> np.ndarray:
    """Row-normalised transition probabilities; conversion and null absorb, and a state never left
    in the data goes to null."""
    s = counts.shape[0]
    if counts.ndim != 2 or counts.shape != (s, s) or s < 4:
        raise EngineError("transition counts must be a square matrix over start, channels, conversion and null")
    p = np.array(counts, dtype=float)
    p[s - 2 :] = 0.0
    p[s - 2, s - 2] = p[s - 1, s - 1] = 1.0
    out = p.sum(axis=1)
    p[out == 0, s - 1] = 1.0
    return p / p.sum(axis=1, keepdims=True)


def removal_effects(p: np.ndarray, reward: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """The expected reward of a journey from start in the absorbing chain `p` (a step j -> conversion
    earns reward[j], 1 for conversions), and how much of it is lost when each channel is removed
    (transitions into it go to null). Exact: one linear solve per channel, all at once."""
    s = p.shape[0]
    c = s - 3
    r = np.ones(c) if reward is None else np.asarray(reward, dtype=float)
    if r.shape != (c,):
        raise EngineError(f"reward must give one number per channel ({c})")
    q = p[: c + 1, : c + 1]
    b = p[: c + 1, c + 1] * np.concatenate([[0.0], r])
    eye = np.eye(c + 1)
    base = float(np.linalg.solve(eye - q, b)[0])
    qs = np.broadcast_to(q, (c, c + 1, c + 1)).copy()
    bs = np.broadcast_to(b, (c, c + 1)).copy()
    k = np.arange(c)
    qs[k, :, k + 1] = 0.0
    qs[k, k + 1, :] = 0.0
    bs[k, k + 1] = 0.0
    without = np.linalg.solve(eye - qs, bs[..., None])[:, 0, 0]
    return base, base - without


def conversion_value_by_last_channel(j: Journeys) -> np.ndarray:
    """The mean value of a conversion whose last touch was each channel (0 where none converted):
    the value a converting step from that channel earns in the Markov chain."""
    conv = last_touch(j, "conversions")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(conv > 0, last_touch(j, "value") / conv, 0.0)


def markov_removal_effects(j: Journeys, metric: Metric = "conversions") -> tuple[float, np.ndarray]:
    """(conversion probability or expected value of a journey, loss when each channel is removed)
    in the first-order chain of the journeys (repeats merged, nulls as an absorbing state)."""
    credit_weights(j, metric)  # checks the metric
    reward = None if metric == "conversions" else conversion_value_by_last_channel(j)
    return removal_effects(transition_matrix(transition_counts(collapse_repeats(j))), reward)


def markov_credit(j: Journeys, metric: Metric = "conversions") -> np.ndarray:
    """Removal effects scaled so that they sum to the total conversions (or value)."""
    _, effect = markov_removal_effects(j, metric)
    total = float(credit_weights(j, metric).sum())
    return effect / effect.sum() * total if effect.sum() > 0 else np.zeros_like(effect)


def coalition_values(j: Journeys, metric: Metric = "conversions") -> np.ndarray:
    """v(S) for every coalition S of channels (bit i of the index = channel i): the conversions (or
    value) of the journeys whose channels all lie in S. Each journey's weight is put on its own set,
    then summed over subsets (a subset-sum transform, one pass per channel)."""
    c = len(j.channels)
    if c > MAX_SHAPLEY_CHANNELS:
        raise EngineError(
            f"Shapley values over coalitions need at most {MAX_SHAPLEY_CHANNELS} channels (got {c}); "
            "group the rare channels into one first"
        )
    own = np.bitwise_or.reduceat(np.left_shift(1, j.touch), j.start[:-1])
    v = np.bincount(own, weights=credit_weights(j, metric), minlength=1 << c)
    for i in range(c):
        half = v.reshape(-1, 2, 1 << i)
        half[:, 1, :] += half[:, 0, :]
    return v


def shapley_values(v: np.ndarray) -> np.ndarray:
    """Each player's Shapley value in the game v over all 2^n coalitions (v[mask], bit i = player i):
    the mean, over every order of joining, of what the player adds to those before it."""
    v = np.asarray(v, dtype=float)
    n = int(v.size).bit_length() - 1
    if v.ndim != 1 or v.size != 1 << n or n == 0:
        raise EngineError("a game needs a value for each of the 2^n coalitions of its n >= 1 players")
    masks = np.arange(v.size)
    bit = np.left_shift(1, np.arange(n))
    has = (masks[None, :] & bit[:, None]) != 0
    size = has.sum(axis=0)
    weight = np.array([factorial(s) * factorial(n - s - 1) / factorial(n) for s in range(n)])  # by |S|
    gain = v[masks[None, :] | bit[:, None]] - v[None, :]
    return np.where(has, 0.0, weight[np.minimum(size, n - 1)][None, :] * gain).sum(axis=1)


def shapley_credit(j: Journeys, metric: Metric = "conversions") -> np.ndarray:
    """Shapley values of the channels in the game v(S) = conversions (or value) of the journeys
    within S; they sum to the total."""
    return shapley_values(coalition_values(j, metric))
