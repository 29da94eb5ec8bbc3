"""Differentiable (torch) Gaussian moments of ReLU units and the exact expected denoising loss.

Same quantities, formulas and numerical strategy as :mod:`mnd.gaussian` (see its docstring):
``z ~ N(mu, s^2)``, ``a = mu/s``; two units have correlation ``r``.

    E[z]_+         = mu Phi(a) + s phi(a)
    E[z]_+^2       = (mu^2 + s^2) Phi(a) + mu s phi(a)
    E[z1]_+[z2]_+  = (mu1 mu2 + r s1 s2) Phi2(a1, a2; r) + mu1 s2 phi(a2) Phi(A1)
                     + mu2 s1 phi(a1) Phi(A2) + s1 s2 q phi(a1) phi(A2)

Everything is built from three autograd primitives with analytic derivatives (so gradients are
exact, finite, and twice differentiable):

* ``g1(a) = E[(a+X)_+]`` with ``g1' = Phi``; ``g2(a) = E[(a+X)_+^2]`` with ``g2' = 2 g1``
  (evaluated for ``a <= 0``, continued fraction in the tail);
* ``Phi2(a, b; r)`` (Drezner-Wesolowsky / Genz, 20-point Gauss-Legendre) with
  ``dPhi2/da = phi(a) Phi((b - r a)/q)``, ``dPhi2/db = phi(b) Phi((a - r b)/q)``,
  ``dPhi2/dr = phi2(a, b; r)``. At ``|r| = 1`` the ``r``-derivative (which is 0 or infinite) is
  set to 0.

``Phi`` is ``erfc(-x/sqrt 2)/2`` (``torch.special.ndtr`` loses all relative accuracy below
``x ~ -8``). Works in float32 and float64; tests use float64.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ..gaussian import (
    A_FLOOR,
    CF_DEPTH,
    GL_NODES01,
    GL_WEIGHTS01,
    PHI2_CLAMP,
    R_SWITCH,
    TAIL_SWITCH,
)

__all__ = [
    "bivariate_normal_cdf",
    "expected_denoising_loss",
    "relu_covariance",
    "relu_mean",
    "relu_product_mean",
    "relu_second_moment",
    "relu_variance",
]

_SQRT_2PI = math.sqrt(2.0 * math.pi)
_TWO_PI = 2.0 * math.pi
_SQRT1_2 = math.sqrt(0.5)


# --------------------------------------------------------------------------------------------
# elementwise helpers
# --------------------------------------------------------------------------------------------
def _ndtr(x: Tensor) -> Tensor:
    return 0.5 * torch.special.erfc(-x * _SQRT1_2)


def _phi(x: Tensor) -> Tensor:
    return torch.exp(-0.5 * x * x) / _SQRT_2PI


def _ndtr_diff(lo: Tensor, hi: Tensor) -> Tensor:
    """``Phi(hi) - Phi(lo)`` for ``lo <= hi`` without cancellation in either tail."""
    return torch.where(lo > 0, _ndtr(-lo) - _ndtr(-hi), _ndtr(hi) - _ndtr(lo))


def _gl(like: Tensor) -> tuple[Tensor, Tensor]:
    return (
        torch.as_tensor(GL_NODES01, dtype=like.dtype, device=like.device),
        torch.as_tensor(GL_WEIGHTS01, dtype=like.dtype, device=like.device),
    )


# --------------------------------------------------------------------------------------------
# primitive 1: tail functions g1, g2 (a <= 0)
# --------------------------------------------------------------------------------------------
@torch.no_grad()
def _tail_g_values(a: Tensor) -> tuple[Tensor, Tensor]:
    """(g1(a), g2(a)) for finite ``a <= 0``; direct for ``a >= -2``, continued fraction below."""
    direct = a >= -TAIL_SWITCH
    ad = torch.where(direct, a, torch.zeros_like(a))
    P, p = _ndtr(ad), _phi(ad)
    g1 = ad * P + p
    g2 = (ad * ad + 1.0) * P + ad * p
    tail = ~direct
    if bool(tail.any()):
        x = -a[tail]
        rho = torch.zeros_like(x)
        rho2 = rho
        for n in range(CF_DEPTH, 0, -1):
            rho = 1.0 / (x + (n + 1) * rho)
            if n == 2:
                rho2 = rho
        Q = _ndtr(-x)
        g1[tail] = Q * rho
        g2[tail] = 2.0 * Q * rho * rho2
    return g1, g2


class _G1(torch.autograd.Function):
    """``g1(a) = a Phi(a) + phi(a) = E[(a+X)_+]``, ``g1'(a) = Phi(a)``."""

    @staticmethod
    def forward(ctx, a: Tensor) -> Tensor:  # type: ignore[override]
        ctx.save_for_backward(a)
        return _tail_g_values(a)[0]

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:  # type: ignore[override]
        (a,) = ctx.saved_tensors
        return grad * _ndtr(a)


class _G2(torch.autograd.Function):
    """``g2(a) = (a^2+1) Phi(a) + a phi(a) = E[(a+X)_+^2]``, ``g2'(a) = 2 g1(a)``."""

    @staticmethod
    def forward(ctx, a: Tensor) -> Tensor:  # type: ignore[override]
        ctx.save_for_backward(a)
        return _tail_g_values(a)[1]

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:  # type: ignore[override]
        (a,) = ctx.saved_tensors
        return grad * 2.0 * _G1.apply(a)


# --------------------------------------------------------------------------------------------
# primitive 2: bivariate normal cdf
# --------------------------------------------------------------------------------------------
def _bvn_small(h: Tensor, k: Tensor, r: Tensor) -> Tensor:
    """U(h, k; r) = P(X > h, Y > k), |r| < 0.925: Phi(-h)Phi(-k) + int_0^asin(r) ... (1D)."""
    t, w = _gl(h)
    theta = torch.asin(r)
    sn = torch.sin(theta[:, None] * t)
    hk = (h * k)[:, None]
    hs = (0.5 * (h * h + k * k))[:, None]
    integrand = torch.exp((sn * hk - hs) / (1.0 - sn * sn))
    return _ndtr(-h) * _ndtr(-k) + theta / _TWO_PI * (integrand @ w)


def _bvn_large(h: Tensor, k: Tensor, r: Tensor) -> Tensor:
    """U(h, k; r), 0.925 <= |r| <= 1 (1D); see ``mnd.gaussian._bvn_large`` for the derivation."""
    t, w = _gl(h)
    neg = r < 0
    k2 = torch.where(neg, -k, k)
    hk = h * k2
    absr = r.abs()
    one_m = (1.0 - absr) * (1.0 + absr)
    exact1 = one_m <= 0.0
    aa2 = torch.where(exact1, torch.full_like(one_m, 0.25), one_m)
    aa = aa2.sqrt()
    bs = (h - k2) ** 2
    beta = bs.sqrt()
    c = (4.0 - hk) / 8.0
    d = (12.0 - hk) / 16.0
    e_a = torch.exp(-0.5 * (hk + bs / aa2))
    pm = _SQRT_2PI * torch.exp(-0.5 * hk + torch.special.log_ndtr(-beta / aa))
    j0 = aa * e_a - beta * pm
    j1 = (aa**3 * e_a - bs * j0) / 3.0
    j2 = (aa**5 * e_a - bs * j1) / 5.0
    closed = j0 + c * j1 + c * d * j2
    xs = (aa[:, None] * t) ** 2
    rs = torch.sqrt(1.0 - xs)
    f = torch.exp(-bs[:, None] / (2.0 * xs) - hk[:, None] / (1.0 + rs)) / rs
    f0 = torch.exp(-0.5 * (bs[:, None] / xs + hk[:, None])) * (1.0 + c[:, None] * xs * (1.0 + d[:, None] * xs))
    numeric = aa * ((f - f0) @ w)
    corr = torch.where(exact1, torch.zeros_like(aa), -(closed + numeric) / _TWO_PI)
    u_pos = corr + _ndtr(-torch.maximum(h, k2))
    u_neg = torch.where(k2 > h, _ndtr_diff(-k2, -h), torch.zeros_like(h)) - corr
    return torch.where(neg, u_neg, u_pos)


@torch.no_grad()
def _bvn_values(a: Tensor, b: Tensor, r: Tensor) -> Tensor:
    """Phi2(a, b; r) for same-shape tensors (|r| <= 1, no nan)."""
    shape = a.shape
    h = -a.clamp(-PHI2_CLAMP, PHI2_CLAMP).reshape(-1)
    k = -b.clamp(-PHI2_CLAMP, PHI2_CLAMP).reshape(-1)
    rf = r.reshape(-1)
    out = torch.empty_like(h)
    small = rf.abs() < R_SWITCH
    if bool(small.any()):
        out[small] = _bvn_small(h[small], k[small], rf[small])
    large = ~small
    if bool(large.any()):
        out[large] = _bvn_large(h[large], k[large], rf[large])
    return out.clamp(0.0, 1.0).reshape(shape)


def _bvn_grads(a: Tensor, b: Tensor, r: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Analytic partial derivatives of Phi2 (differentiable torch expressions)."""
    a = a.clamp(-PHI2_CLAMP, PHI2_CLAMP)
    b = b.clamp(-PHI2_CLAMP, PHI2_CLAMP)
    interior = r.abs() < 1.0
    rr = torch.where(interior, r, torch.zeros_like(r))
    q = torch.sqrt((1.0 - rr) * (1.0 + rr))
    one = torch.ones_like(a)

    def step(u: Tensor, v: Tensor) -> Tensor:
        # Phi(u / q) with its q -> 0 limit (Heaviside with H(0) = 1/2)
        lim = torch.where(u > 0, one, torch.where(u < 0, torch.zeros_like(a), 0.5 * one))
        return torch.where(interior, _ndtr(v), lim)

    da = _phi(a) * step(b - r * a, (b - rr * a) / q)
    db = _phi(b) * step(a - r * b, (a - rr * b) / q)
    quad = (a * a - 2.0 * rr * a * b + b * b) / (q * q)
    dr = torch.where(interior, torch.exp(-0.5 * quad) / (_TWO_PI * q), torch.zeros_like(a))
    return da, db, dr


class _Phi2(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a: Tensor, b: Tensor, r: Tensor) -> Tensor:  # type: ignore[override]
        ctx.save_for_backward(a, b, r)
        return _bvn_values(a, b, r)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor, Tensor, Tensor]:  # type: ignore[override]
        a, b, r = ctx.saved_tensors
        da, db, dr = _bvn_grads(a, b, r)
        return grad * da, grad * db, grad * dr


def _phi2(a: Tensor, b: Tensor, r: Tensor) -> Tensor:
    a, b, r = torch.broadcast_tensors(a, b, r)
    return _Phi2.apply(a, b, r)


# --------------------------------------------------------------------------------------------
# moments (internal, no validation)
# --------------------------------------------------------------------------------------------
def _standardise(mu: Tensor, s: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """(mu > 0, a_hat = -|mu/s|, s > 0); a_hat = A_FLOOR (a constant) where s = 0 or |mu/s| >= 50.

    Beyond ``|mu/s| = 50`` every tail term underflows, so the constant is exact in double precision
    and it keeps the division (and its backward, ``-mu/s^2``) away from overflow and ``0 * inf``.
    """
    ok = s > 0
    far = ~ok | (mu.abs() >= -A_FLOOR * s)
    a = torch.where(far, torch.zeros_like(mu), mu) / torch.where(ok, s, torch.ones_like(s))
    a_hat = torch.where(a > 0, -a, a)
    a_hat = torch.where(far, torch.full_like(a_hat, A_FLOOR), a_hat)
    return mu > 0, a_hat, ok


def _mean_core(mu: Tensor, s: Tensor) -> Tensor:
    pos, a_hat, _ = _standardise(mu, s)
    return torch.where(pos, mu, torch.zeros_like(mu)) + s * _G1.apply(a_hat)


def _second_core(mu: Tensor, s: Tensor) -> Tensor:
    pos, a_hat, _ = _standardise(mu, s)
    s2g2 = s * s * _G2.apply(a_hat)
    return torch.where(pos, mu * mu + s * s - s2g2, s2g2)


def _var_core(mu: Tensor, s: Tensor) -> Tensor:
    pos, a_hat, _ = _standardise(mu, s)
    g1 = _G1.apply(a_hat)
    v_hat = _G2.apply(a_hat) - g1 * g1
    v = torch.where(pos, _ndtr_diff(a_hat, -a_hat) + v_hat, v_hat)
    return s * s * v


def _g_both_nonpos(a1: Tensor, a2: Tensor, r: Tensor) -> Tensor:
    """``E[(a1 + X)_+ (a2 + Y)_+]`` for finite ``a1, a2 <= 0``, ``|r| <= 1`` (limits exact)."""
    interior = r.abs() < 1.0
    rr = torch.where(interior, r, torch.zeros_like(r))
    q = torch.sqrt((1.0 - rr) * (1.0 + rr))
    A1 = (a1 - rr * a2) / q
    A2 = (a2 - rr * a1) / q
    p1, p2 = _phi(a1), _phi(a2)
    g_int = (a1 * a2 + rr) * _phi2(a1, a2, rr) + a1 * p2 * _ndtr(A1) + a2 * p1 * _ndtr(A2) + q * p1 * _phi(A2)
    m = torch.minimum(a1, a2)
    g_plus = _G2.apply(m) + (torch.maximum(a1, a2) - m) * _G1.apply(m)
    zero = torch.zeros_like(g_int)
    g_lim = torch.where(r > 0, g_plus, zero)
    # Price's theorem: dG/dr = Phi2(a1, a2; r), finite at r = +-1 (Phi(min(a1, a2)) and, as
    # a1 + a2 <= 0 here, 0); the limit formulas do not depend on r, so attach this derivative.
    dg_dr = torch.where(r > 0, _ndtr(m), zero).detach()
    g_lim = g_lim + (r - r.detach()) * dg_dr
    return torch.where(interior, g_int, g_lim)


def _cov_core(mu1: Tensor, mu2: Tensor, s1: Tensor, s2: Tensor, r: Tensor) -> Tensor:
    e1, h1, ok1 = _standardise(mu1, s1)
    e2, h2, ok2 = _standardise(mu2, s2)
    one = torch.ones((), dtype=h1.dtype, device=h1.device)
    eps1 = torch.where(e1, -one, one)
    eps2 = torch.where(e2, -one, one)
    r_hat = r * eps1 * eps2
    zero = torch.zeros((), dtype=h1.dtype, device=h1.device)
    stein = r * (
        (e1 & e2).to(h1.dtype)
        + torch.where(e1, eps2 * _ndtr(h2), zero)
        + torch.where(e2, eps1 * _ndtr(h1), zero)
    )
    k_hat = _g_both_nonpos(h1, h2, r_hat) - _G1.apply(h1) * _G1.apply(h2)
    return torch.where(ok1 & ok2, s1 * s2 * (stein + k_hat), zero)


# --------------------------------------------------------------------------------------------
# validation and public API
# --------------------------------------------------------------------------------------------
def _as_tensor(x: object, name: str, like: Tensor | None = None) -> Tensor:
    if isinstance(x, Tensor):
        t = x
    else:
        t = torch.as_tensor(x, dtype=torch.float64 if like is None else like.dtype)
    if not t.is_floating_point():
        t = t.to(torch.float64)
    return t


def _check_finite(t: Tensor, name: str) -> None:
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} contains non-finite values (nan or inf)")


def _prep(names: tuple[str, ...], values: tuple[object, ...]) -> list[Tensor]:
    ts = [_as_tensor(v, n) for v, n in zip(values, names)]
    for t, n in zip(ts, names):
        _check_finite(t, n)
    dtype = ts[0].dtype
    for t in ts[1:]:
        dtype = torch.promote_types(dtype, t.dtype)
    ts = [t.to(dtype) for t in ts]
    try:
        return list(torch.broadcast_tensors(*ts))
    except RuntimeError as exc:
        shapes = ", ".join(f"{n}{tuple(t.shape)}" for n, t in zip(names, ts))
        raise ValueError(f"shape mismatch: cannot broadcast {shapes}") from exc


def _check_s(s: Tensor, name: str) -> None:
    if bool((s < 0).any()):
        raise ValueError(f"{name} must be a standard deviation >= 0, got min {name} = {float(s.detach().min())}")


def _check_r(r: Tensor) -> None:
    if bool((r.abs() > 1).any()):
        raise ValueError(f"r must be a correlation in [-1, 1], got max |r| = {float(r.detach().abs().max())}")


def relu_mean(mu: Tensor, s: Tensor) -> Tensor:
    """``E[z]_+ = mu Phi(a) + s phi(a)``, ``z ~ N(mu, s^2)``, ``a = mu/s`` (``relu(mu)`` at ``s = 0``)."""
    mu_, s_ = _prep(("mu", "s"), (mu, s))
    _check_s(s_, "s")
    return _mean_core(mu_, s_)


def relu_second_moment(mu: Tensor, s: Tensor) -> Tensor:
    """``E[z]_+^2 = (mu^2 + s^2) Phi(a) + mu s phi(a)`` (``relu(mu)^2`` at ``s = 0``)."""
    mu_, s_ = _prep(("mu", "s"), (mu, s))
    _check_s(s_, "s")
    return _second_core(mu_, s_)


def relu_variance(mu: Tensor, s: Tensor) -> Tensor:
    """``Var[z]_+ = E[z]_+^2 - (E[z]_+)^2`` without cancellation (0 at ``s = 0``)."""
    mu_, s_ = _prep(("mu", "s"), (mu, s))
    _check_s(s_, "s")
    return _var_core(mu_, s_)


def _pair(mu1: object, mu2: object, s1: object, s2: object, r: object) -> list[Tensor]:
    ts = _prep(("mu1", "mu2", "s1", "s2", "r"), (mu1, mu2, s1, s2, r))
    _check_s(ts[2], "s1")
    _check_s(ts[3], "s2")
    _check_r(ts[4])
    return ts


def relu_covariance(mu1: Tensor, mu2: Tensor, s1: Tensor, s2: Tensor, r: Tensor) -> Tensor:
    """``Cov([z1]_+, [z2]_+) = E[z1]_+[z2]_+ - E[z1]_+ E[z2]_+`` (reflection form, no cancellation).

    0 if ``s1 = 0`` or ``s2 = 0``; exact closed forms at ``r = +-1``.
    """
    return _cov_core(*_pair(mu1, mu2, s1, s2, r))


def relu_product_mean(mu1: Tensor, mu2: Tensor, s1: Tensor, s2: Tensor, r: Tensor) -> Tensor:
    """``E[z1]_+[z2]_+ = (mu1 mu2 + r s1 s2) Phi2(a1, a2; r) + mu1 s2 phi(a2) Phi(A1)
    + mu2 s1 phi(a1) Phi(A2) + s1 s2 q phi(a1) phi(A2)`` (computed as ``Cov + E[z1]_+ E[z2]_+``)."""
    mu1_, mu2_, s1_, s2_, r_ = _pair(mu1, mu2, s1, s2, r)
    return _cov_core(mu1_, mu2_, s1_, s2_, r_) + _mean_core(mu1_, s1_) * _mean_core(mu2_, s2_)


def bivariate_normal_cdf(a: Tensor, b: Tensor, r: Tensor) -> Tensor:
    """``Phi2(a, b; r) = Phi(a) Phi(b) + int_0^r phi2(a, b; t) dt`` (20-point Gauss-Legendre,
    Drezner-Wesolowsky for ``|r| < 0.925``, Genz's expansion for ``|r| >= 0.925``, exact at ``|r| = 1``).

    Analytic gradients ``phi(a) Phi((b - r a)/q)``, ``phi(b) Phi((a - r b)/q)``, ``phi2(a, b; r)``.
    ``a``, ``b`` may be ``+-inf``; nan or ``|r| > 1`` raise ``ValueError``.
    """
    ts = [_as_tensor(v, n) for v, n in ((a, "a"), (b, "b"), (r, "r"))]
    if bool(torch.isnan(ts[0]).any()) or bool(torch.isnan(ts[1]).any()):
        raise ValueError("a and b must not contain nan (+-inf are allowed limits)")
    _check_finite(ts[2], "r")
    _check_r(ts[2])
    dtype = torch.promote_types(torch.promote_types(ts[0].dtype, ts[1].dtype), ts[2].dtype)
    try:
        a_, b_, r_ = torch.broadcast_tensors(*(t.to(dtype) for t in ts))
    except RuntimeError as exc:
        raise ValueError(
            f"shape mismatch: cannot broadcast a{tuple(ts[0].shape)}, b{tuple(ts[1].shape)}, r{tuple(ts[2].shape)}"
        ) from exc
    return _Phi2.apply(a_, b_, r_)


def expected_denoising_loss(
    W: Tensor, b: Tensor, A: Tensor, V: Tensor, c: Tensor, x_clean: Tensor, sigma: float | Tensor
) -> Tensor:
    """Exact ``(1/N) sum_n E|h(x_n + eps) - x_n|^2`` for ``h(y) = A relu(W y + b) + V y + c``.

    ``W (K, d)``, ``b (K,)``, ``A (d, K)``, ``V (d, d)``, ``c (d,)``, ``x_clean (N, d)``,
    ``eps ~ N(0, sigma^2 I)``; with ``m_k = E[z_k]_+``, ``C_kl = Cov([z_k]_+, [z_l]_+)`` at ``x_n``:

        |A m + V x_n + c - x_n|^2 + tr(A C A^T) + sigma^2 |V|_F^2 + 2 sigma^2 sum_k Phi(mu_k/s_k) a_k . (V w_k)

    All ``N x K x K`` unit pairs are evaluated in one batch (memory ``O(N K^2)``); the diagonal
    ``C_kk`` (``r = 1``) uses the one-unit variance and is masked in, so gradients stay finite.
    Returns a 0-dim tensor, differentiable in every argument (including ``sigma`` if a tensor).
    """
    names = ("W", "b", "A", "V", "c", "x_clean")
    ts = [_as_tensor(v, n) for v, n in zip((W, b, A, V, c, x_clean), names)]
    for t, n in zip(ts, names):
        _check_finite(t, n)
    dtype = ts[0].dtype
    for t in ts[1:]:
        dtype = torch.promote_types(dtype, t.dtype)
    W_, b_, A_, V_, c_, x_ = (t.to(dtype) for t in ts)
    sig = sigma if isinstance(sigma, Tensor) else torch.as_tensor(float(sigma), dtype=dtype)
    sig = sig.to(dtype=dtype, device=W_.device)
    if sig.dim() != 0:
        raise ValueError(f"sigma must be a scalar, got shape {tuple(sig.shape)}")
    _check_finite(sig, "sigma")
    if float(sig.detach()) < 0:
        raise ValueError(f"sigma must be >= 0, got {float(sig.detach())}")
    if W_.dim() != 2:
        raise ValueError(f"W must have shape (K, d), got shape {tuple(W_.shape)}")
    K, d = W_.shape
    for name, t, shape in (("b", b_, (K,)), ("A", A_, (d, K)), ("V", V_, (d, d)), ("c", c_, (d,))):
        if tuple(t.shape) != shape:
            raise ValueError(f"{name} must have shape {shape} for W of shape {(K, d)}, got {tuple(t.shape)}")
    if x_.dim() != 2 or x_.shape[1] != d or x_.shape[0] == 0:
        raise ValueError(f"x_clean must have shape (N, {d}) with N >= 1, got {tuple(x_.shape)}")

    sq = (W_ * W_).sum(dim=1)
    nz = sq > 0
    wn = torch.where(nz, torch.sqrt(torch.where(nz, sq, torch.ones_like(sq))), torch.zeros_like(sq))
    s = sig * wn  # (K,)
    mu = x_ @ W_.T + b_  # (N, K)
    m = _mean_core(mu, s.expand_as(mu))
    U = W_ / torch.where(nz, wn, torch.ones_like(wn))[:, None]
    eye = torch.eye(K, dtype=torch.bool, device=W_.device)
    r = torch.where(eye, torch.zeros((), dtype=dtype, device=W_.device), (U @ U.T).clamp(-1.0, 1.0))
    C_off = _cov_core(mu[:, :, None], mu[:, None, :], s[:, None], s[None, :], r)  # (N, K, K)
    var = _var_core(mu, s.expand_as(mu))
    C = torch.where(eye, torch.diag_embed(var), C_off)
    res = m @ A_.T + x_ @ V_.T + c_ - x_
    AtA = A_.T @ A_
    stein_diag = torch.einsum("ik,ij,kj->k", A_, V_, W_)  # a_k . (V w_k)
    ok = s > 0
    a_std = torch.where(ok, mu / torch.where(ok, s, torch.ones_like(s)), torch.zeros_like(mu))
    per_point = (
        (res * res).sum(dim=1)
        + torch.einsum("kl,nkl->n", AtA, C)
        + 2.0 * sig**2 * (_ndtr(a_std) * stein_diag).sum(dim=1)
    )
    return per_point.mean() + sig**2 * (V_ * V_).sum()
