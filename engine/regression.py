"""Ordinary least squares with standard errors, and the two designs built on it: a log-log
demand model with categorical interactions, and difference in differences."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine import EngineError


@dataclass(frozen=True)
class OLS:
    names: tuple[str, ...]
    coef: np.ndarray
    std_error: np.ndarray
    dof: int
    r_squared: float

    def as_dict(self) -> dict[str, float]:
        return {n: float(c) for n, c in zip(self.names, self.coef, strict=True)}


def ols(X: np.ndarray, y: np.ndarray, names: list[str] | tuple[str, ...]) -> OLS:
    """Least squares of y on the columns of X (include an intercept column yourself)."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],) or len(names) != X.shape[1]:
        raise EngineError("X must be n x k, y length n, and one name per column")
    dof = X.shape[0] - X.shape[1]
    if dof <= 0:
        raise EngineError(f"need more observations ({X.shape[0]}) than coefficients ({X.shape[1]})")
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ coef
    sigma2 = float(resid @ resid) / dof
    xtx_inv = np.linalg.pinv(X.T @ X)
    se = np.sqrt(np.maximum(np.diag(xtx_inv) * sigma2, 0.0))
    sst = float(((y - y.mean()) ** 2).sum())
    return OLS(tuple(names), coef, se, dof, 1.0 - float(resid @ resid) / sst if sst > 0 else 0.0)


def cluster_robust_se(X: np.ndarray, resid: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Standard errors robust to shocks shared within a group (CR1: the sandwich with Stata's
    small-sample factor G/(G-1) * (N-1)/(N-K)), for residuals of a least-squares fit of X."""
    X = np.asarray(X, dtype=float)
    u = np.asarray(resid, dtype=float)
    n, k = X.shape
    _, g = np.unique(np.asarray(groups), return_inverse=True)
    g = g.ravel()
    n_groups = int(g.max()) + 1 if n else 0
    if u.shape != (n,) or g.shape != (n,):
        raise EngineError("one residual and one group per row of X")
    if n_groups < 2 or n <= k:
        raise EngineError("need at least two groups and more rows than columns")
    scores = np.zeros((n_groups, k))
    np.add.at(scores, g, X * u[:, None])
    bread = np.linalg.pinv(X.T @ X)
    factor = n_groups / (n_groups - 1) * (n - 1) / (n - k)
    cov = factor * bread @ (scores.T @ scores) @ bread
    return np.sqrt(np.maximum(np.diag(cov), 0.0))


def dummies(values: np.ndarray, *, base: str | None = None) -> tuple[np.ndarray, list[str]]:
    """0/1 columns for each level except the base (the first level in sorted order by default)."""
    v = np.asarray(values).astype(str)
    levels = sorted(set(v.tolist()))
    base = levels[0] if base is None else base
    if base not in levels:
        raise EngineError(f"base level {base!r} is not among {levels}")
    kept = [lv for lv in levels if lv != base]
    return np.column_stack([(v == lv).astype(float) for lv in kept]) if kept else np.empty((v.size, 0)), kept


def interact(*blocks: tuple[np.ndarray, list[str]]) -> tuple[np.ndarray, list[str]]:
    """All main effects and interactions of the given column blocks, in R's formula order
    (a * b * c: a, b, c, a:b, a:c, b:c, a:b:c), with an intercept first."""
    from itertools import combinations, product

    n = blocks[0][0].shape[0]
    cols, names = [np.ones(n)], ["(Intercept)"]
    for order in range(1, len(blocks) + 1):
        for combo in combinations(blocks, order):
            for picks in product(*(range(m.shape[1]) for m, _ in combo)):
                col = np.ones(n)
                for (m, _), j in zip(combo, picks, strict=True):
                    col = col * m[:, j]
                cols.append(col)
                names.append(":".join(nm[j] for (_, nm), j in zip(combo, picks, strict=True)))
    return np.column_stack(cols), names


def diff_in_diff(unit: np.ndarray, after: np.ndarray, treated: np.ndarray, outcome: np.ndarray) -> OLS:
    """Per unit, the change in mean log outcome from before to after, regressed on treatment:
    the coefficient 'treated' is the effect on log outcome, with its standard error."""
    u = np.asarray(unit)
    a = np.asarray(after).astype(bool)
    t = np.asarray(treated).astype(bool)
    y = np.asarray(outcome, dtype=float)
    if (y <= 0).any():
        raise EngineError("the outcome must be positive (it is logged)")
    y = np.log(y)
    units, inv = np.unique(u, return_inverse=True)
    k = units.size

    def mean_by(mask: np.ndarray) -> np.ndarray:
        s = np.bincount(inv[mask], weights=y[mask], minlength=k)
        c = np.bincount(inv[mask], minlength=k)
        if (c == 0).any():
            raise EngineError("every unit needs observations both before and after")
        return s / c

    change = mean_by(a) - mean_by(~a)
    treat = np.bincount(inv, weights=t.astype(float), minlength=k) / np.bincount(inv, minlength=k)
    return ols(np.column_stack([np.ones(k), treat]), change, ["(Intercept)", "treated"])
