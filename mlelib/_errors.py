"""The two exceptions mlelib raises for data it cannot fit (both are ``ValueError``)."""

from __future__ import annotations


class DataError(ValueError):
    """The data cannot be used: empty, not one-dimensional, non-numeric, NaN or
    infinite, outside the family's support, non-integer for a count family, or a known
    parameter is missing or invalid.

    ``index`` is the position of the offending value in the data when one value is to
    blame, else None; for data in chunks (``fit_chunks``, Dask arrays) ``chunk`` is the
    chunk's number from 0 and ``index`` the position within it.
    """

    def __init__(self, message: str, index: int | None = None, chunk=None):
        super().__init__(message)
        self.index = index
        self.chunk = chunk

    def __reduce__(self):  # keeps index and chunk across processes (Dask workers)
        return DataError, (str(self), self.index, self.chunk)


class NoMaximumError(ValueError):
    """The data are valid but the likelihood has no maximum in the parameter space (for
    example a normal sample whose values are all equal: the likelihood grows without
    bound as sigma2 -> 0)."""


def unrepresentable(family: str, estimate: str, value: float) -> DataError:
    """The error for an MLE outside the normal float64 range, saying which way to
    rescale the data; ``estimate`` describes it, e.g. ``"b = ... = 1e-320"``."""
    return DataError(
        f"{family}: the MLE {estimate} is outside the normal float64 range; "
        + ("divide" if value > 1 else "multiply")
        + " the data by a constant"
    )
