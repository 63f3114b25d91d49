"""The ``features`` method: a linear discriminant on classical SAR texture statistics.

The floor any learned method should clear. No network: each patch becomes the statistics of
:mod:`swdkit.methods._texture` (level, local coefficients of variation, bright-pixel fraction,
dB quantiles, log-cumulants, a co-occurrence contrast), standardised with the mean and standard
deviation of the *labeled* training samples, and a linear discriminant with shrinkage
(:class:`ShrinkageLDA`) is fitted on the labeled samples only. ``run_method`` chooses the same
labeled subset as for every other method of the seed, and evaluates on the same splits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from swdkit._checks import check_value
from swdkit.methods._texture import FEATURE_NAMES, sar_texture_features

DEFAULT_SHRINKAGE = "auto"


def _check_xy(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x), np.asarray(y)
    if x.dtype.kind not in "fiu" or y.dtype.kind not in "iu":
        raise TypeError(f"x must be numeric and y integer labels; got dtypes {x.dtype}, "
                        f"{y.dtype}")
    if x.ndim != 2 or y.shape != (len(x),) or len(x) == 0:
        raise ValueError(f"x must be (n, p) and y (n,) with n >= 1; got shapes {x.shape}, "
                         f"{y.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x holds NaN or infinite values; the features must be finite")
    return x.astype(np.float64), y.astype(np.int64)


def ledoit_wolf_shrinkage(z: Any) -> float:
    """Ledoit-Wolf's optimal shrinkage intensity of the covariance of centred samples.

    With ``S = Z^T Z / n``, ``m = tr(S) / p``, ``d^2 = ||S - m I||_F^2`` and
    ``b^2 = min(d^2, (1 / n^2) sum_i ||z_i z_i^T - S||_F^2)``, the intensity is ``b^2 / d^2``
    (Ledoit and Wolf, "A well-conditioned estimator for large-dimensional covariance matrices",
    J. Multivariate Anal. 88, 2004, Lemma 3.2 and eq. 14): the weight of ``m I`` in
    ``(1 - a) S + a m I``. ``sum_i ||z_i z_i^T - S||^2 = sum_i ||z_i||^4 - n ||S||^2``.

    Args:
        z: float ``(n, p)``, already centred (each row minus its class mean, here).

    Returns:
        The intensity in [0, 1] (0 when ``S`` is already a multiple of the identity).
    """
    z, _ = _check_xy(z, np.zeros(len(np.asarray(z)), dtype=np.int64))
    n, p = z.shape
    s = z.T @ z / n
    d2 = float(np.sum((s - np.trace(s) / p * np.eye(p)) ** 2))
    b2 = float((np.sum(np.sum(z**2, axis=1) ** 2) / n - np.sum(s**2)) / n)
    return 0.0 if d2 <= 0 else min(b2, d2) / d2


@dataclass
class ShrinkageLDA:
    """Linear discriminant analysis with a shrunk pooled covariance (numpy only).

    Fit: class means ``mu_k``, priors ``pi_k = n_k / n``, the pooled within-class covariance
    ``S = (1/n) sum_i (x_i - mu_{y_i})(x_i - mu_{y_i})^T``, shrunk towards a multiple of the
    identity, ``Sigma = (1 - a) S + a (tr(S) / p) I`` (scikit-learn's
    ``LinearDiscriminantAnalysis(solver="lsqr", shrinkage=a)`` for a number ``a``);
    ``a = "auto"`` is :func:`ledoit_wolf_shrinkage` of the class-centred samples (the
    Ledoit-Wolf estimate of the pooled covariance; the features should be on one scale, as
    :class:`FeatureClassifier` standardises them). Scores
    ``x^T Sigma^{-1} mu_k - mu_k^T Sigma^{-1} mu_k / 2 + ln pi_k``; a ridge of ``1e-10`` times
    the mean variance keeps ``Sigma`` invertible (one sample per class, ``a = 0``). Friedman,
    "Regularized discriminant analysis", JASA 84, 1989; Hastie, Tibshirani and Friedman, *The
    Elements of Statistical Learning*, 2009, sec. 4.3.

    Attributes:
        shrinkage: ``"auto"`` or a number in [0, 1].
        classes: int64 ``(K,)`` the labels seen in fitting (predictions are among them).
        coef: ``(K, p)``, intercept ``(K,)``: the linear scores.
        shrinkage_used: the intensity ``a`` of the fit.
    """

    shrinkage: float | str = DEFAULT_SHRINKAGE
    classes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    coef: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    intercept: np.ndarray = field(default_factory=lambda: np.zeros(0))
    shrinkage_used: float = float("nan")

    def __post_init__(self) -> None:
        if self.shrinkage != "auto":
            check_value("shrinkage", self.shrinkage, "number >= 0", hint="or 'auto'")
            if self.shrinkage > 1:
                raise ValueError(f"shrinkage must be 'auto' or a number in [0, 1], got "
                                 f"{self.shrinkage!r}")

    def fit(self, x: Any, y: Any) -> ShrinkageLDA:
        """Fit on ``x`` float ``(n, p)`` and labels ``y`` int ``(n,)``; returns ``self``."""
        x, y = _check_xy(x, y)
        self.classes, index = np.unique(y, return_inverse=True)
        means = np.stack([x[index == k].mean(axis=0) for k in range(len(self.classes))])
        priors = np.bincount(index) / len(y)
        centred = x - means[index]
        s = centred.T @ centred / len(x)
        self.shrinkage_used = (ledoit_wolf_shrinkage(centred) if self.shrinkage == "auto"
                               else float(self.shrinkage))
        a, level = self.shrinkage_used, float(np.trace(s)) / len(s)
        sigma = (1 - a) * s + (a + 1e-10) * max(level, 1e-12) * np.eye(len(s))
        self.coef = np.linalg.solve(sigma, means.T).T
        self.intercept = -0.5 * np.sum(self.coef * means, axis=1) + np.log(priors)
        return self

    def decision_function(self, x: Any) -> np.ndarray:
        """Scores ``(m, K)``, one column per entry of :attr:`classes`."""
        if len(self.classes) == 0:
            raise ValueError("this ShrinkageLDA is not fitted yet; call fit(x, y) first")
        x, _ = _check_xy(x, np.zeros(len(np.asarray(x)), dtype=np.int64))
        if x.shape[1] != self.coef.shape[1]:
            raise ValueError(f"x must have {self.coef.shape[1]} features, got {x.shape[1]}")
        return x @ self.coef.T + self.intercept

    def predict(self, x: Any) -> np.ndarray:
        """Predicted labels int64 ``(m,)``: the class of the largest score."""
        return self.classes[np.argmax(self.decision_function(x), axis=1)]


@dataclass
class FeatureClassifier:
    """Texture statistics, standardised, then :class:`ShrinkageLDA`; fitted on labeled SAR.

    Attributes:
        stats: the normalisation statistics the SAR was normalised with (None: raw values).
        sar_input: what the SAR holds (``"re_im"``, ``"db_smooth"`` or ``"db_lee"``).
        mean, scale: ``(F,)`` the standardisation, from the labeled samples (scale 1 where a
            statistic is constant there).
        lda: the fitted :class:`ShrinkageLDA`.
    """

    stats: Any
    sar_input: str
    mean: np.ndarray
    scale: np.ndarray
    lda: ShrinkageLDA

    def features(self, sar: Any) -> np.ndarray:
        """Standardised statistics ``(N, F)`` of SAR patches ``(N, 2, 32, 32)``."""
        raw = sar_texture_features(sar, self.stats, sar_input=self.sar_input)
        return (raw - self.mean) / self.scale

    def predict(self, sar: Any) -> np.ndarray:
        """Predicted labels int64 ``(N,)`` of SAR patches ``(N, 2, 32, 32)``."""
        return self.lda.predict(self.features(sar))

    @property
    def settings(self) -> dict[str, Any]:
        """What was fitted, as plain data (the run's ``config``)."""
        return {"statistics": list(FEATURE_NAMES), "classifier": "shrinkage LDA",
                "shrinkage": self.lda.shrinkage, "shrinkage_used": self.lda.shrinkage_used,
                "standardised_on": "labeled samples", "sar_input": self.sar_input}


def fit_feature_classifier(sar: Any, labels: Any, *, stats: Any = None, sar_input: str = "re_im",
                           shrinkage: float | str = DEFAULT_SHRINKAGE) -> FeatureClassifier:
    """Fit :class:`FeatureClassifier` on labeled SAR.

    Args:
        sar: float ``(n, 2, 32, 32)`` labeled SAR (as the methods receive it).
        labels: int ``(n,)``.
        stats, sar_input: how ``sar`` was made (see :func:`swdkit.methods._texture.sar_intensity`).
        shrinkage: ``"auto"`` (Ledoit-Wolf) or a number in [0, 1].

    Returns:
        The fitted classifier.
    """
    lda = ShrinkageLDA(shrinkage=shrinkage)
    raw = sar_texture_features(sar, stats, sar_input=sar_input)
    _check_xy(raw, labels)
    mean, sd = raw.mean(axis=0), raw.std(axis=0)
    scale = np.where(sd > 1e-12 * np.maximum(np.abs(mean), 1.0), sd, 1.0)
    model = FeatureClassifier(stats=stats, sar_input=sar_input, mean=mean, scale=scale, lda=lda)
    lda.fit((raw - mean) / scale, labels)
    return model


def fit_features_method(sar: Any, labels: Any, data: Any) -> FeatureClassifier:
    """The registry's ``fit`` of ``features``: :func:`fit_feature_classifier` with the data's
    normalisation (``data.stats``, None when absent) and ``data.sar_input`` (default
    ``"re_im"``)."""
    return fit_feature_classifier(sar, labels, stats=getattr(data, "stats", None),
                                  sar_input=getattr(data, "sar_input", "re_im"))
