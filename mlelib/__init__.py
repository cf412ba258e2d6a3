"""mlelib: maximum-likelihood fits with standard errors, the numeric reference of the
MLE course.

>>> import mlelib
>>> f = mlelib.fit("normal", [4.0, 5.0, 6.0])
>>> f.params
{'mu': 5.0, 'sigma2': 0.6666666666666666}
>>> f
mlelib.Fit: normal, n=3, loglik=-3.64862, iterations=0
param   estimate        se
mu             5  0.471405
sigma2  0.666667  0.544331
>>> mlelib.loglik("normal", [4.0, 5.0, 6.0], mu=5.0, sigma2=1.0) < f.loglik
True
>>> mlelib.fit("binomial", [3, 7], trials=10).params
{'p': 0.5}

``fit(family, data, **known)`` returns an immutable :class:`Fit`; ``loglik(family, data,
**params_and_known)`` a float; ``FAMILIES`` maps each name to its family object
(``.name``, ``.params``, ``.known``, ``.support``; its docstring gives the model, the
estimator and the standard errors). Unusable data raise :class:`DataError`, data without
a maximum :class:`NoMaximumError` (both are ``ValueError``); an unknown family or
keyword is a ``ValueError``. A Fit also gives ``aic`` and ``bic``, ``cov(kind)`` (the
inverse expected or observed information), ``ci(level, method="wald" | "profile")``
(Wald or likelihood-ratio intervals) and ``profile(name, value)`` (the profile
log-likelihood). Data may be any 1-D sequence, iterable, numpy or masked
array (the mask is honoured) or pandas Series of real numbers.

Data that do not fit in memory: ``fit_chunks(family, chunks, **known)`` fits a
sequence, stream or callable of 1-D arrays (a memory-mapped file read in slices), and
``fit(family, x)`` with a 1-D Dask array ``x`` runs the same computation as Dask tasks
(threads, or a ``dask.distributed`` cluster when a client is active). Both return the
same Fit as the in-memory fit, from statistics of each chunk that merge (see
``FAMILIES[name].statistics`` and ``.merge``).

Right-censored lifetimes: ``fit(family, times, censored=mask)`` and
``loglik(family, times, censored=mask, **params)`` (exponential, weibull, gamma,
lognormal, normal), ``mask[i]`` True where the lifetime exceeds ``times[i]``; the Fit
counts its ``failures`` and takes ``se`` from the observed information.
"""

from ._api import FAMILIES, fit, fit_chunks, loglik
from ._errors import DataError, NoMaximumError
from ._fit import Fit

__all__ = [
    "FAMILIES",
    "DataError",
    "Fit",
    "NoMaximumError",
    "fit",
    "fit_chunks",
    "loglik",
]
