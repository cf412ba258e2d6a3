"""The two exceptions mlelib raises for data it cannot fit (both are ``ValueError``)."""


class DataError(ValueError):
    """The data cannot be used: empty, not one-dimensional, non-numeric, NaN or
    infinite, outside the family's support, non-integer for a count family, or a known
    parameter is missing or invalid."""


class NoMaximumError(ValueError):
    """The data are valid but the likelihood has no maximum in the parameter space (for
    example a normal sample whose values are all equal: the likelihood grows without
    bound as sigma2 -> 0)."""
