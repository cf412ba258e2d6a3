"""mlelib: maximum-likelihood fits with standard errors, the numeric reference of the MLE course.

>>> import mlelib
>>> f = mlelib.fit("normal", [4.0, 5.0, 6.0])
>>> f.params
{'mu': 5.0, 'sigma2': 0.6666666666666666}
>>> mlelib.loglik("normal", [4.0, 5.0, 6.0], mu=5.0, sigma2=1.0) < f.loglik
True
"""

from ._api import FAMILIES, fit, loglik
from ._errors import DataError, NoMaximumError
from ._fit import Fit

__all__ = ["FAMILIES", "DataError", "Fit", "NoMaximumError", "fit", "loglik"]
