"""The Fit value: immutable, plain floats, readable deterministic repr, Wald
intervals."""

import math
import pickle
import re

import numpy as np
import pytest
from scipy import stats

import mlelib


@pytest.fixture
def normal_fit():
    return mlelib.fit("normal", np.random.default_rng(7).normal(2.0, 1.5, 400))


FAMILY_DATA = {
    "bernoulli": ([0, 1, 1], {}),
    "binomial": ([1, 4], {"trials": 5}),
    "poisson": ([0, 3, 2], {}),
    "geometric": ([1, 4, 2], {}),
    "exponential": ([0.5, 2.0], {}),
    "normal": ([1.0, 2.5, 2.0], {}),
    "lognormal": ([1.0, 2.5, 2.0], {}),
    "laplace": ([1.0, 2.5, 2.0], {}),
    "uniform": ([1.0, 2.5, 2.0], {}),
    "weibull": ([1.0, 2.5, 2.0], {}),
    "gamma": ([1.0, 2.5, 2.0], {}),
}


@pytest.mark.parametrize("family", FAMILY_DATA)
def test_fit_fields_are_plain_python_numbers(family):
    data, known = FAMILY_DATA[family]
    f = mlelib.fit(family, data, **known)
    assert all(type(v) is float for v in (*f.params.values(), *f.se.values(), f.loglik))
    assert type(f.n) is int and type(f.iterations) is int
    assert all(type(v) is float for v in f.ci().get(next(iter(f.params))))


def test_every_family_has_a_plain_number_test():
    # array parameters: categorical here, normal_mixture in test_mlelib_mixture.py
    arrays = {"categorical", "normal_mixture"}
    assert sorted(FAMILY_DATA) == sorted(set(mlelib.FAMILIES) - arrays)


def test_fit_attributes_cannot_be_reassigned(normal_fit):
    with pytest.raises(AttributeError):
        normal_fit.loglik = 0.0


def test_fit_params_cannot_be_changed(normal_fit):
    with pytest.raises(TypeError):
        normal_fit.params["mu"] = 0.0


def test_categorical_p_array_is_read_only():
    f = mlelib.fit("categorical", [0, 1, 1])
    with pytest.raises(ValueError):
        f.params["p"][0] = 0.5


def test_fit_params_compare_equal_to_a_plain_dict():
    assert mlelib.fit("poisson", [1, 3]).params == {"lam": 2.0}


def test_fit_survives_pickling(normal_fit):
    copy = pickle.loads(pickle.dumps(normal_fit))
    assert (copy.params, copy.se, copy.loglik, repr(copy)) == (
        normal_fit.params,
        normal_fit.se,
        normal_fit.loglik,
        repr(normal_fit),
    )


def test_repr_is_a_table_with_one_row_per_parameter(normal_fit):
    lines = repr(normal_fit).splitlines()
    assert lines[0].startswith("mlelib.Fit: normal, n=400, loglik=")
    assert lines[1].split() == ["param", "estimate", "se"]
    assert [line.split()[0] for line in lines[2:]] == ["mu", "sigma2"]
    assert float(lines[2].split()[1]) == pytest.approx(
        normal_fit.params["mu"], rel=1e-5
    )


def test_repr_shows_known_parameters():
    assert repr(mlelib.fit("binomial", [1, 2], trials=3)).startswith(
        "mlelib.Fit: binomial, trials=3, n=2, "
    )


def test_repr_and_html_have_no_memory_addresses_and_are_deterministic(normal_fit):
    again = mlelib.fit("normal", np.random.default_rng(7).normal(2.0, 1.5, 400))
    for text in (repr(normal_fit), normal_fit._repr_html_()):
        assert not re.search(r"0x[0-9a-f]{6,}", text)
    assert (repr(normal_fit), normal_fit._repr_html_()) == (
        repr(again),
        again._repr_html_(),
    )


def test_html_is_a_table_with_a_row_per_parameter(normal_fit):
    html = normal_fit._repr_html_()
    assert html.startswith("<table") and html.endswith("</table>")
    assert html.count("<tr>") == 3


def test_repr_of_many_categories_is_shortened():
    f = mlelib.fit("categorical", np.arange(40))
    lines = repr(f).splitlines()
    assert len(lines) == 2 + 12 and lines[-1].split() == ["...", "(29", "more)"]


def test_wald_interval_is_estimate_plus_minus_z_se(normal_fit):
    z = stats.norm.ppf(0.95)
    lo, hi = normal_fit.ci(0.90)["mu"]
    assert lo == pytest.approx(
        normal_fit.params["mu"] - z * normal_fit.se["mu"], rel=1e-14
    )
    assert hi == pytest.approx(
        normal_fit.params["mu"] + z * normal_fit.se["mu"], rel=1e-14
    )


def test_default_interval_level_is_95_percent(normal_fit):
    assert normal_fit.ci() == normal_fit.ci(0.95)
    lo, hi = normal_fit.ci()["sigma2"]
    assert (hi - lo) / 2 == pytest.approx(
        1.959963984540054 * normal_fit.se["sigma2"], rel=1e-14
    )


def test_categorical_interval_is_a_pair_of_arrays():
    f = mlelib.fit("categorical", [0, 1, 1, 2, 2, 2])
    lo, hi = f.ci()["p"]
    np.testing.assert_allclose((hi + lo) / 2, f.params["p"], rtol=1e-15)


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.2, "0.9"])
def test_interval_level_outside_zero_one_is_rejected(normal_fit, level):
    with pytest.raises(
        ValueError, match="level must be a number strictly between 0 and 1"
    ):
        normal_fit.ci(level)


def test_families_mapping_has_names_params_known_and_support():
    fam = mlelib.FAMILIES["binomial"]
    assert (fam.name, fam.params, fam.known) == ("binomial", ("p",), ("trials",))
    assert isinstance(fam.support, str) and fam.support


def test_families_mapping_cannot_be_changed():
    with pytest.raises(TypeError):
        mlelib.FAMILIES["mine"] = None


def test_fit_accepts_a_family_object_as_well_as_its_name():
    data = [1, 2, 2]
    assert (
        mlelib.fit(mlelib.FAMILIES["poisson"], data).params
        == mlelib.fit("poisson", data).params
    )
    assert math.isfinite(mlelib.loglik(mlelib.FAMILIES["poisson"], data, lam=1.0))


def test_package_docstring_examples_run_as_shown():
    import doctest

    assert doctest.testmod(mlelib, verbose=False).failed == 0
