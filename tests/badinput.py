"""A generated sweep of bad input over the public functions of ``mnd``.

Every public function has a valid call (``Spec.kwargs``) and a kind per argument. Each mutation
replaces ONE argument of the valid call by a value that violates what the function relies on
(NaN, inf, empty, wrong rank, wrong dimension, transposed, complex, a string, None where None is
not allowed, out-of-range scalars). Every mutation is invalid by construction, so the right
outcome is a ``ValueError`` or ``TypeError`` whose message names the argument ("clear"); any
return is "silent" (a wrong answer nobody sees) and any other exception, or a message that does
not name the argument, is "unclear".

``python tests/badinput.py`` prints the counts per outcome and lists every case that is not clear.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy import stats

import mnd
from mnd import alignment, closed_form, data, gaussian, metrics, noise_radius

X1 = np.array([-2.0, 0.0, 3.0])  # univariate clean points
X2 = np.array([[0.0, 0.0], [1.3, 0.0], [-0.65, 1.126]])  # obtuse triangle in the plane
X3 = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.2, 0.0], [0.0, 0.0, 0.9]])  # orthogonal rays
RHO, SIGMA = 0.2, 0.1
H2 = mnd.obtuse_simplex(X2, RHO)
NET2 = H2.to_relu_net()
Y2 = np.array([[0.1, 0.2], [1.0, -0.3], [-0.5, 0.9], [0.3, 0.3]])
DIST = stats.uniform(-5, 10)
XTR = data.sample_clean(DIST, 20, seed=0)  # 20 training points: the MSE curves cross near sigma = 1


@dataclass
class Spec:
    """A public function, a valid call, and the kind of each argument to mutate."""

    name: str
    fn: Callable
    kwargs: dict
    kinds: dict
    aliases: dict = field(default_factory=dict)  # argument -> other words the message may use
    none_ok: tuple = ()  # arguments for which None is a valid value (a default)


# ---------------------------------------------------------------------------------------------
# Mutations by kind of argument. Each returns (label, bad value) pairs.

def _array_mutations(v: np.ndarray, dim_matters: bool) -> list[tuple[str, object]]:
    v = np.asarray(v, float)
    out = []
    if v.size:
        bad = v.copy()
        bad.flat[0] = np.nan
        out.append(("nan", bad))
        bad = v.copy()
        bad.flat[-1] = np.inf
        out.append(("inf", bad))
    out += [("empty", v[:0]), ("rank3", v[None, None]), ("complex", v.astype(complex) + 1j),
            ("string", "abc"), ("None", None), ("object", object())]
    if dim_matters and v.ndim == 2:  # d is fixed by another argument
        out.append(("extra column", np.column_stack([v, np.ones(len(v))])))
        if v.shape[0] != v.shape[1]:
            out.append(("transposed", v.T.copy()))
    return out


def _scalar_mutations(kind: str) -> list[tuple[str, object]]:
    common = [("nan", float("nan")), ("string", "1"), ("complex", 1 + 1j), ("list", [1.0, 2.0])]
    if kind == "pos":  # a real number > 0
        return common + [("zero", 0.0), ("negative", -1.0), ("inf", float("inf")), ("None", None)]
    if kind == "nonneg":  # a real number >= 0
        return common + [("negative", -1.0), ("inf", float("inf")), ("None", None)]
    if kind == "int":  # an integer >= its minimum
        return [("zero", 0), ("negative", -1), ("float", 2.5), ("nan", float("nan")), ("string", "3"),
                ("None", None), ("bool", True)]
    if kind == "frac":  # a number in (0, 1) or [0, 1)
        return common + [("negative", -0.5), ("above one", 1.5), ("inf", float("inf"))]
    if kind == "index":  # an index into the clean points (negative indices count from the end)
        return [("too large", 99), ("float", 2.5), ("nan", float("nan")), ("string", "1"), ("bool", True),
                ("None", None)]
    if kind == "real":  # any finite real
        return [("nan", float("nan")), ("inf", float("inf")), ("string", "1"), ("complex", 1 + 1j)]
    raise KeyError(kind)


def _other_mutations(kind: str) -> list[tuple[str, object]]:
    if kind == "elementwise":  # numpy broadcasting: any shape is fine, the values are not
        return [("nan", float("nan")), ("inf", float("inf")), ("string", "1"), ("complex", 1 + 1j), ("None", None),
                ("object", object())]
    if kind == "elementwise_inf":  # +-inf are valid limits
        return [("nan", float("nan")), ("string", "1"), ("complex", 1 + 1j), ("None", None), ("object", object())]
    if kind == "rows":
        return [("empty", []), ("None", None), ("string", "rows"), ("not dicts", [1, 2])]
    if kind == "callable":
        return [("None", None), ("number", 3.0), ("string", "f")]
    if kind == "dist":
        return [("None", None), ("list", [0.0, 1.0]), ("string", "norm"), ("discrete", stats.poisson(2.0))]
    if kind == "net":
        return [("None", None), ("array", np.ones((3, 2))), ("string", "net")]
    raise KeyError(kind)


def mutations(spec: Spec) -> list[tuple[str, str, object]]:
    """``(argument, label, bad value)`` for every argument of ``spec``."""
    out = []
    for arg, kind in spec.kinds.items():
        if kind in ("points", "points_d", "queries"):
            muts = _array_mutations(spec.kwargs[arg], kind != "points")
            if kind == "queries":  # an empty batch of queries is valid: it gives an empty answer
                muts = [(label, v) for label, v in muts if label != "empty"]
        elif kind in ("pos", "nonneg", "int", "frac", "real", "index"):
            muts = _scalar_mutations(kind)
        else:
            muts = _other_mutations(kind)
        out += [(arg, label, value) for label, value in muts if not (value is None and arg in spec.none_ok)]
    return out


# ---------------------------------------------------------------------------------------------
# The registry: every public function of mnd that takes input (torch functions in NETS below).

def _specs() -> list[Spec]:
    cf = closed_form
    P = dict(kinds={"x": "points", "rho": "pos"})
    S = []
    add = S.append
    add(Spec("RampSum", mnd.RampSum, dict(c=[0.0, 0.0], directions=[[1.0, 0.0]], outputs=[[1.0, 0.0]],
                                          starts=[0.0], ends=[1.0]),
             {"c": "points", "directions": "points_d", "outputs": "points_d", "starts": "points",
              "ends": "points"}))
    add(Spec("RampSum.__call__", lambda y: H2(y), dict(y=Y2), {"y": "queries"}))
    add(Spec("ReluNet", mnd.ReluNet, dict(W=NET2.W, b=NET2.b, A=NET2.A),
             {"W": "points_d", "b": "points", "A": "points_d"}))
    add(Spec("ReluNet.__call__", lambda y: NET2(y), dict(y=Y2), {"y": "queries"}))
    add(Spec("ReluNet.active", lambda rel_tol: NET2.active(rel_tol), dict(rel_tol=0.01), {"rel_tol": "frac"}))
    add(Spec("as_relu_net", mnd.as_relu_net, dict(net=H2), {"net": "net"}))
    add(Spec("univariate", cf.univariate, dict(x=X1, rho=RHO), P["kinds"]))
    add(Spec("univariate_cost", cf.univariate_cost, dict(x=X1, rho=RHO), P["kinds"]))
    add(Spec("univariate_intervals", cf.univariate_intervals, dict(x=X1, lo=X1 - 0.1, hi=X1 + 0.1),
             {"x": "points", "lo": "points", "hi": "points"}))
    add(Spec("capped_min_cost_denoiser", cf.capped_min_cost_denoiser, dict(x_train=X1, rho=RHO, kappa=0.5),
             {"x_train": "points", "rho": "pos", "kappa": "frac"}))
    add(Spec("capped_radii", cf.capped_radii, dict(x_train=X1, rho=RHO, kappa=0.5),
             {"x_train": "points", "rho": "pos", "kappa": "frac"}))
    add(Spec("subspace", cf.subspace, dict(X=np.array([[0.0, 0.0], [1.0, 1.0], [3.0, 3.0]]), rho=RHO, tol=1e-7),
             {"X": "points", "rho": "pos", "tol": "frac"}))
    add(Spec("rays", cf.rays, dict(X=X3, rho=RHO, apex=0, angle_tol=1e-6),
             {"X": "points", "rho": "pos", "apex": "index", "angle_tol": "frac"}))
    add(Spec("rays_formula", cf.rays_formula, dict(X=X3, rho=RHO, apex=0),
             {"X": "points", "rho": "pos", "apex": "index"}))
    Yr, Tr = data.constraint_points(X3, rho=RHO, M=5)
    add(Spec("rays_sampled", cf.rays_sampled, dict(X=X3, Y=Yr, T=Tr),
             {"X": "points_d", "Y": "points_d", "T": "points_d"}))
    add(Spec("obtuse_simplex", cf.obtuse_simplex, dict(X=X2, rho=RHO, tol=1e-9),
             {"X": "points", "rho": "pos", "tol": "frac"}))
    add(Spec("obtuse_vertex", cf.obtuse_vertex, dict(X=X2, angle_tol=1e-6), {"X": "points", "angle_tol": "frac"}))
    eq = np.array([[np.cos(a), np.sin(a)] for a in 2 * np.pi * np.arange(3) / 3])
    add(Spec("equilateral_simplex", cf.equilateral_simplex, dict(X=eq, rho=RHO, tol=1e-6),
             {"X": "points", "rho": "pos", "tol": "frac"}))
    acute = np.array([[0.0, 0.0], [1.5, 0.0], [0.4, 1.2]])
    add(Spec("facet_normal_simplex", cf.facet_normal_simplex, dict(X=acute, rho=RHO, centre=[0.5, 0.4]),
             {"X": "points", "rho": "pos", "centre": "points"}, none_ok=("centre",)))
    add(Spec("facet_normals", cf.facet_normals, dict(X=acute), {"X": "points"}))
    add(Spec("orthocentric_triangle", cf.orthocentric_triangle, dict(X=acute, rho=RHO, angle_tol=1e-9),
             {"X": "points", "rho": "pos", "angle_tol": "frac"}))
    add(Spec("orthocenter", cf.orthocenter, dict(X=acute), {"X": "points"}))
    add(Spec("fermat_weber", cf.fermat_weber, dict(P=acute, weights=[1.0, 2.0, 1.0]),
             {"P": "points", "weights": "points"}))
    add(Spec("vertex_angles", cf.vertex_angles, dict(X=acute), {"X": "points"}))
    add(Spec("affine_basis", cf.affine_basis, dict(X=X3, tol=1e-7), {"X": "points", "tol": "frac"}))
    add(Spec("min_cost_denoiser", cf.min_cost_denoiser, dict(X=X2, rho=RHO), {"X": "points", "rho": "pos"}))
    add(Spec("emmse", mnd.emmse, dict(x_clean=X2, sigma=SIGMA), {"x_clean": "points", "sigma": "pos"}))
    h = mnd.emmse(X2, SIGMA)
    add(Spec("emmse denoiser", lambda y: h(y), dict(y=Y2), {"y": "queries"}))
    add(Spec("emmse_posterior", mnd.mmse.emmse_posterior, dict(x_clean=X2, sigma=SIGMA, y=Y2),
             {"x_clean": "points", "sigma": "pos", "y": "queries"}))
    # data
    add(Spec("equispaced", data.equispaced, dict(n=4, low=-5.0, high=5.0), {"n": "int", "low": "real", "high": "real"}))
    add(Spec("random_with_gap", data.random_with_gap, dict(n=4, low=-5.0, high=5.0, min_gap=0.5),
             {"n": "int", "low": "real", "high": "real", "min_gap": "pos"}))
    add(Spec("noisy_samples", data.noisy_samples, dict(x_clean=X2, sigma=SIGMA, m=3),
             {"x_clean": "points", "sigma": "pos", "m": "int"}))
    add(Spec("sphere_directions", data.sphere_directions, dict(d=3, k=4), {"d": "int", "k": "int"}))
    add(Spec("sample_ball", data.sample_ball, dict(center=[0.0, 1.0], rho=RHO, m=5, boundary_fraction=0.5),
             {"center": "points", "rho": "pos", "m": "int", "boundary_fraction": "frac"}))
    add(Spec("uniform", data.uniform, dict(low=-5.0, high=5.0), {"low": "real", "high": "real"}))
    add(Spec("sample_clean", data.sample_clean, dict(dist=DIST, n=5), {"dist": "dist", "n": "int"}))
    add(Spec("constraint_points", data.constraint_points, dict(x_clean=X2, rho=RHO, M=4),
             {"x_clean": "points", "rho": "pos", "M": "int"}))
    add(Spec("digits", data.digits, dict(classes=(0, 1), per_class=1), {"per_class": "int"}))
    add(Spec("mnist", data.mnist, dict(classes=(0, 1), per_class=1), {"per_class": "int"}))
    # metrics
    add(Spec("sup_error", metrics.sup_error, dict(f=H2, g=NET2, points=Y2),
             {"f": "callable", "g": "callable", "points": "points"}))
    add(Spec("rms_error", metrics.rms_error, dict(f=H2, g=NET2, points=Y2),
             {"f": "callable", "g": "callable", "points": "points"}))
    add(Spec("ball_points", metrics.ball_points, dict(x_clean=X2, rho=RHO, m=4),
             {"x_clean": "points", "rho": "pos", "m": "int"}))
    add(Spec("interpolation_error", metrics.interpolation_error, dict(f=H2, x_clean=X2, rho=RHO, m=4),
             {"f": "callable", "x_clean": "points", "rho": "pos", "m": "int"}))
    add(Spec("nearest_clean", metrics.nearest_clean, dict(x_clean=X2, y=Y2), {"x_clean": "points", "y": "queries"}))
    add(Spec("contraction_margin", metrics.contraction_margin, dict(f=H2, x_clean=X2, y=Y2),
             {"f": "callable", "x_clean": "points", "y": "points_d"}))
    add(Spec("cost_gap", metrics.cost_gap, dict(trained_cost=2.0, optimal_cost=1.0),
             {"trained_cost": "nonneg", "optimal_cost": "pos"}))
    add(Spec("denoising_mse", metrics.denoising_mse, dict(f=H2, x_test=X2, sigma=SIGMA, m=2),
             {"f": "callable", "x_test": "points", "sigma": "pos", "m": "int"}))
    add(Spec("curvature_cost", metrics.curvature_cost, dict(h=mnd.univariate(X1, RHO), grid=np.linspace(-4, 4, 50)),
             {"h": "callable", "grid": "points"}))
    add(Spec("heldout_mse", metrics.heldout_mse, dict(h=mnd.univariate(X1, RHO), dist=DIST, sigma=SIGMA, n_x=20),
             {"h": "callable", "dist": "dist", "sigma": "pos", "n_x": "int"}))
    add(Spec("heldout_mse_mc", metrics.heldout_mse_mc, dict(h=mnd.univariate(X1, RHO), dist=DIST, sigma=SIGMA, n=100),
             {"h": "callable", "dist": "dist", "sigma": "pos", "n": "int"}))
    add(Spec("low_noise_limits", metrics.low_noise_limits, dict(x_train=X1, dist=DIST),
             {"x_train": "points", "dist": "dist"}))
    add(Spec("box_grid", metrics.box_grid, dict(X=X2, margin=0.5, n=5), {"X": "points", "margin": "nonneg", "n": "int"}))
    add(Spec("compare", metrics.compare, dict(net=NET2, h=H2, X=X2, rho=RHO, n=5, m=5),
             {"net": "net", "X": "points_d", "rho": "pos", "n": "int", "m": "int"}))
    # alignment
    add(Spec("line_angles", alignment.line_angles, dict(W=NET2.W, U=H2.directions), {"W": "queries", "U": "points_d"}))
    add(Spec("unit_alignment", alignment.unit_alignment, dict(net=NET2, directions=H2.directions, rel_tol=0.01),
             {"net": "net", "directions": "points_d", "rel_tol": "frac"}))
    add(Spec("edge_vectors", alignment.edge_vectors, dict(X=X2), {"X": "points"}))
    add(Spec("best_edges", alignment.best_edges, dict(V=NET2.W, X=X2), {"V": "queries", "X": "points_d"}))
    add(Spec("edge_basis", alignment.edge_basis, dict(X=X3, tol=1e-9), {"X": "points", "tol": "frac"}))
    B = alignment.edge_basis(X3[:3])
    add(Spec("span_fraction", alignment.span_fraction, dict(V=NET2.W @ np.ones((2, 3)), basis=B),
             {"V": "queries", "basis": "points_d"}))
    add(Spec("random_fraction_mean", alignment.random_fraction_mean, dict(r=2, d=3), {"r": "int", "d": "int"}))
    add(Spec("random_fraction_quantile", alignment.random_fraction_quantile, dict(q=0.5, r=2, d=3),
             {"q": "frac", "r": "int", "d": "int"}))
    # noise radius
    Y1, T1 = data.noisy_samples(X1, SIGMA, 20, seed=0)
    add(Spec("sample_hulls", noise_radius.sample_hulls, dict(y=Y1, target=T1, x_clean=X1),
             {"y": "points", "target": "points", "x_clean": "points"}))
    add(Spec("expected_max_normal", noise_radius.expected_max_normal, dict(M=10), {"M": "int"}))
    add(Spec("online_radius", noise_radius.online_radius, dict(x_clean=X1, sigma=SIGMA, lam=1e-3, n_t=101),
             {"x_clean": "points", "sigma": "pos", "lam": "pos", "n_t": "int"}))
    add(Spec("fit_radius", noise_radius.fit_radius, dict(h=mnd.univariate(X1, RHO), x_clean=X1),
             {"h": "callable", "x_clean": "points"}))
    add(Spec("rho_from_sigma", noise_radius.rho_from_sigma, dict(sigma=SIGMA, c=2.0), {"sigma": "pos", "c": "pos"}))
    add(Spec("authors_radius", noise_radius.authors_radius, dict(sigma=SIGMA, M=64), {"sigma": "pos", "M": "int"}))
    # Gaussian moments
    add(Spec("relu_mean", gaussian.relu_mean, dict(mu=[0.0, 1.0], s=[1.0, 2.0]), {"mu": "elementwise", "s": "elementwise"}))
    add(Spec("relu_product_mean", gaussian.relu_product_mean,
             dict(mu1=0.1, mu2=-0.2, s1=1.0, s2=0.5, r=0.3),
             {"mu1": "elementwise", "mu2": "elementwise", "s1": "elementwise", "s2": "elementwise",
              "r": "elementwise"}))
    add(Spec("bivariate_normal_cdf", gaussian.bivariate_normal_cdf, dict(a=0.1, b=0.2, r=0.3),
             {"a": "elementwise_inf", "b": "elementwise_inf", "r": "elementwise"}))
    add(Spec("expected_denoising_loss", gaussian.expected_denoising_loss, dict(net=NET2, x_clean=X2, sigma=SIGMA),
             {"net": "net", "x_clean": "points_d", "sigma": "nonneg"}))
    add(Spec("facet_normal_cost", cf.facet_normal_cost, dict(X=acute, rho=RHO), {"X": "points", "rho": "pos"}))
    add(Spec("lift", cf.lift, dict(g=mnd.univariate(X1, RHO), xbar=[0.0, 1.0], U=[[1.0], [0.0]]),
             {"xbar": "points", "U": "points_d"}))
    add(Spec("online_objective", noise_radius.online_objective,
             dict(x_clean=X1, sigma=SIGMA, lam=1e-3, rho=0.3, n_t=101),
             {"x_clean": "points", "sigma": "pos", "lam": "nonneg", "rho": "pos", "n_t": "int"}))
    add(Spec("offline_radius", noise_radius.offline_radius, dict(y=Y1, target=T1, x_clean=X1),
             {"y": "points", "target": "points", "x_clean": "points"}))
    add(Spec("quadrature_nodes", metrics.quadrature_nodes, dict(dist=DIST, sigma=SIGMA, n_x=10, n_t=11),
             {"dist": "dist", "sigma": "pos", "n_x": "int", "n_t": "int"}))
    add(Spec("mse_crossing", metrics.mse_crossing,
             dict(family_a=lambda s: mnd.capped_min_cost_denoiser(XTR, 2 * s, 0.5),
                  family_b=lambda s: mnd.emmse(XTR, s), dist=DIST, bracket=(0.05, 3.0), n_x=50, n_t=21),
             {"family_a": "callable", "family_b": "callable", "dist": "dist"}))
    add(Spec("weighted_span_fraction", alignment.weighted_span_fraction,
             dict(V=NET2.W @ np.ones((2, 3)), basis=B, weights=np.ones(len(NET2.W))),
             {"V": "points_d", "basis": "points_d", "weights": "points"}))
    add(Spec("span_alignment", alignment.span_alignment, dict(net=NET2, X=X2, rel_tol=0.01),
             {"net": "net", "X": "points_d", "rel_tol": "frac"}))
    add(Spec("direction_grid", mnd.certify.direction_grid, dict(d=2, n=16), {"d": "int", "n": "int"}))
    add(Spec("tangent_points", mnd.certify.tangent_points, dict(X=X2, rho=RHO), {"X": "points", "rho": "pos"}))
    add(Spec("dictionary_min_cost", mnd.certify.dictionary_min_cost,
             dict(X=X2, rho=RHO, n_directions=16, refine=0, certify=False, multitangent=False),
             {"X": "points", "rho": "pos", "n_directions": "int"}, none_ok=("n_directions",)))
    add(Spec("Table", mnd.show.Table, dict(rows=[{"a": 1.0, "b": "x"}]), {"rows": "rows"}))
    # independent solvers
    add(Spec("univariate_lp", mnd.certify.univariate_lp, dict(x=X1, rho=RHO, spacing=0.05),
             {"x": "points", "rho": "pos", "spacing": "pos"}))
    return S


def _torch_specs() -> list[Spec]:
    from mnd.nets import ShallowDenoiser, train

    net = ShallowDenoiser(2, 4, x_clean=X2, seed=0)
    S = [
        Spec("ShallowDenoiser", ShallowDenoiser, dict(d=2, width=4, x_clean=X2, init_scale=1.0),
             {"d": "int", "width": "int", "x_clean": "points_d", "init_scale": "pos"}, none_ok=("x_clean",)),
        Spec("ShallowDenoiser.denoise", lambda y: net.denoise(y), dict(y=Y2), {"y": "queries"}),
        Spec("ShallowDenoiser.from_relu_net", ShallowDenoiser.from_relu_net, dict(net=NET2), {"net": "net"}),
        Spec("train", lambda **kw: train(ShallowDenoiser(2, 4, x_clean=X2, seed=0), progress=False, **kw),
             dict(x_clean=X2, sigma=SIGMA, lam=1e-3, steps=2, lr=1e-3, batch=2),
             {"x_clean": "points_d", "sigma": "pos", "lam": "nonneg", "steps": "int", "lr": "pos", "batch": "int"}),
        Spec("train interpolate", lambda **kw: train(ShallowDenoiser(2, 4, x_clean=X2, seed=0), mode="interpolate",
                                                      steps=1, inner=2, progress=False, **kw),
             dict(x_clean=X2, rho=RHO, M=3, beta=10.0),
             {"x_clean": "points_d", "rho": "pos", "M": "int", "beta": "pos"}),
    ]
    return S


# ---------------------------------------------------------------------------------------------
# Running the sweep

def _names(spec: Spec, arg: str) -> list[str]:
    return [arg, *spec.aliases.get(arg, [])]


def classify(spec: Spec, arg: str, value: object) -> tuple[str, str]:
    """``("clear" | "silent" | "unclear", detail)`` for one mutated call."""
    kwargs = dict(spec.kwargs, **{arg: value})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                spec.fn(**kwargs)
    except (ValueError, TypeError) as exc:
        msg = str(exc)
        if any(re.search(rf"\b{re.escape(n)}\b", msg) for n in _names(spec, arg)):
            return "clear", msg
        return "unclear", f"{type(exc).__name__}: {msg[:160]}"
    except Exception as exc:  # noqa: BLE001 - any other exception is an unclear failure
        return "unclear", f"{type(exc).__name__}: {str(exc)[:160]}"
    return "silent", "returned"


def all_specs(with_torch: bool = True) -> list[Spec]:
    specs = _specs()
    if with_torch:
        specs += _torch_specs()
    return specs


def sweep(specs: list[Spec] | None = None) -> list[tuple[str, str, str, str, str]]:
    """``(function, argument, mutation, outcome, detail)`` for every mutation of every spec."""
    rows = []
    for spec in specs or all_specs():
        for arg, label, value in mutations(spec):
            outcome, detail = classify(spec, arg, value)
            rows.append((spec.name, arg, label, outcome, detail))
    return rows


if __name__ == "__main__":
    import collections

    rows = sweep()
    counts = collections.Counter(r[3] for r in rows)
    print(f"{len(rows)} mutations of {len(all_specs())} functions: " +
          ", ".join(f"{k} {counts[k]}" for k in ("clear", "silent", "unclear")))
    for r in rows:
        if r[3] != "clear":
            print(f"  {r[3]:8s} {r[0]}({r[1]} = {r[2]}): {r[4]}")
