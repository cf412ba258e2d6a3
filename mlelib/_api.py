"""``fit`` and ``loglik``: look the family up and dispatch to it."""

from __future__ import annotations

import difflib
from types import MappingProxyType

from . import _censored, _chunks
from ._family import Family
from ._fit import Fit
from .bernoulli import Bernoulli
from .binomial import Binomial
from .categorical import Categorical
from .exponential import Exponential
from .gamma import Gamma
from .geometric import Geometric
from .laplace import Laplace
from .lognormal import Lognormal
from .normal import Normal
from .normal_mixture import NormalMixture
from .poisson import Poisson
from .uniform import Uniform
from .weibull import Weibull

FAMILIES: MappingProxyType[str, Family] = MappingProxyType(
    {
        family.name: family
        for family in (
            Bernoulli(),
            Binomial(),
            Categorical(),
            Poisson(),
            Geometric(),
            Exponential(),
            Normal(),
            Lognormal(),
            Laplace(),
            Uniform(),
            Weibull(),
            Gamma(),
            NormalMixture(),
        )
    }
)
_BY_NAME = dict(FAMILIES)


def family(name) -> Family:
    """The family called ``name`` (a family object is returned as it is); ValueError
    listing the known ones."""
    found = (
        _BY_NAME.get(name)
        if type(name) is str
        else name
        if isinstance(name, Family)
        else None
    )
    if found is not None:
        return found
    close = difflib.get_close_matches(str(name).lower(), FAMILIES, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValueError(
        f"unknown family {name!r}{hint}; known families: {', '.join(FAMILIES)}"
    )


def fit(family_name, data, censored=None, **known) -> Fit:
    """Maximum-likelihood fit of ``data`` by the family ``family_name`` (see
    ``mlelib.FAMILIES``).

    Known (fixed) parameters are keywords: ``fit("binomial", data, trials=10)``. Raises
    DataError for unusable data, NoMaximumError when the likelihood has no maximum,
    ValueError for an unknown family or keyword.

    ``censored``: a boolean mask, True where ``data[i]`` is a right-censoring time (the
    lifetime exceeds it), for exponential, weibull, gamma, lognormal and normal; None
    or all False is the uncensored fit (see ``mlelib._censored`` for the estimators).

    ``data`` may be a 1-D Dask array: the statistics of its blocks are computed and
    merged by Dask (see :func:`fit_chunks`), with the same result.
    """
    found = (
        _BY_NAME.get(family_name) if type(family_name) is str else None
    )  # the common case, fast
    if censored is not None:
        return _censored.fit(found or family(family_name), data, censored, known)
    return (found or family(family_name)).fit(data, **known)


def loglik(family_name, data, censored=None, **params_and_known) -> float:
    """The log-likelihood of ``data`` under ``family_name`` at the given parameters,
    e.g. ``loglik("normal", data, mu=0.0, sigma2=1.0)``; with ``censored`` (a boolean
    mask, see :func:`fit`) sum_F log f(x) + sum_C log S(x).

    Raises DataError for unusable data, ValueError for an unknown family, a missing or
    unknown parameter name, or a parameter outside the parameter space.
    """
    if censored is not None:
        return _censored.loglik(family(family_name), data, censored, params_and_known)
    return family(family_name).loglik(data, **params_and_known)


def fit_chunks(family_name, chunks, **known) -> Fit:
    """The maximum-likelihood fit of data that arrive in chunks: the same Fit as
    ``fit(family_name, np.concatenate(chunks), **known)`` (to rounding), without ever
    holding all the data.

    ``chunks``: a sequence of 1-D arrays, a one-shot iterator of them (for families
    that need one pass), or a zero-argument callable returning a fresh iterable of them
    (data streamed from disk; called once per pass). Empty chunks are skipped. Each
    family merges small statistics of the chunks (see ``mlelib._chunks``); weibull
    takes a pass per Newton step, laplace bracketing passes for its exact median. The
    Fit keeps no data: the observed information and profile of weibull, and the
    profile of the laplace mu, need a fit in memory. normal_mixture and censored data
    are not supported. A bad value raises DataError naming the chunk (``.chunk``) and
    the index within it (``.index``).
    """
    return _chunks.fit(family(family_name), _chunks.Chunks(chunks), known)
