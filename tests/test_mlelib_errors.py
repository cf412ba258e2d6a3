"""Bad input: every error names the family, the offending value and its index, and what
is allowed."""

import numpy as np
import pytest

import mlelib
from mlelib import DataError, NoMaximumError

COUNT_FAMILIES = [
    ("bernoulli", {}),
    ("binomial", {"trials": 5}),
    ("categorical", {}),
    ("poisson", {}),
]


def test_both_error_types_are_value_errors():
    assert issubclass(DataError, ValueError) and issubclass(NoMaximumError, ValueError)


def test_poisson_negative_value_names_family_value_and_index():
    with pytest.raises(DataError) as info:
        mlelib.fit("poisson", [1, -1])
    message = str(info.value)
    assert "poisson" in message and "-1" in message and "index 1" in message


def test_binomial_without_trials_says_trials_is_needed():
    with pytest.raises(DataError, match="trials"):
        mlelib.fit("binomial", [1, 2])


@pytest.mark.parametrize("trials", [0, -3, 2.5, "10", True, None])
def test_binomial_trials_must_be_a_positive_integer(trials):
    with pytest.raises(DataError, match="binomial: .*trials"):
        mlelib.fit("binomial", [1, 2], trials=trials)


def test_binomial_accepts_an_integer_valued_float_for_trials():
    assert mlelib.fit("binomial", [1, 2], trials=4.0).known == {"trials": 4}


def test_binomial_value_above_trials_is_outside_the_support():
    with pytest.raises(
        DataError,
        match=r"binomial: value 6 at index 2 is outside the support; "
        r"allowed: integers 0\.\.5",
    ):
        mlelib.fit("binomial", [1, 5, 6], trials=5)


def test_categorical_label_beyond_categories_names_label_and_index():
    with pytest.raises(
        DataError, match=r"categorical: value 3 at index 1 .*categories=3"
    ):
        mlelib.fit("categorical", [0, 3, 1], categories=3)


@pytest.mark.parametrize("categories", [0, 1.5, "4"])
def test_categorical_categories_must_be_a_positive_integer(categories):
    with pytest.raises(
        DataError, match="categorical: categories must be a positive integer"
    ):
        mlelib.fit("categorical", [0, 1], categories=categories)


@pytest.mark.parametrize("family, known", COUNT_FAMILIES)
def test_count_family_rejects_a_non_integer_value_at_its_index(family, known):
    with pytest.raises(
        DataError, match=rf"{family}: value 0.5 at index 2 is not an integer"
    ):
        mlelib.fit(family, [0, 1, 0.5, 1], **known)


@pytest.mark.parametrize("family, known", COUNT_FAMILIES + [("normal", {})])
@pytest.mark.parametrize(
    "bad, problem",
    [(np.nan, "is NaN"), (np.inf, "is infinite"), (-np.inf, "is infinite")],
)
def test_nan_and_infinity_are_named_with_their_index(family, known, bad, problem):
    with pytest.raises(
        DataError, match=rf"{family}: value -?(nan|inf) at index 3 {problem}"
    ):
        mlelib.fit(family, [0.0, 1.0, 1.0, bad, 0.0], **known)


def test_mixed_bad_values_report_the_first_one_and_how_many():
    with pytest.raises(DataError) as info:
        mlelib.fit("poisson", [3, 1.5, np.nan, -2, np.inf])
    assert str(info.value) == (
        "poisson: value 1.5 at index 1 is not an integer; allowed: integers >= 0 "
        "(4 invalid values in total)"
    )


def test_mixed_bad_values_where_the_first_is_out_of_support():
    with pytest.raises(
        DataError,
        match=r"bernoulli: value 2 at index 0 is outside the support.*\(3 invalid",
    ):
        mlelib.fit("bernoulli", [2, 0, np.nan, 0.5])


def test_the_first_bad_value_is_found_in_a_long_array():
    x = np.zeros(100_000)
    x[[70_001, 99_999]] = -1
    with pytest.raises(
        DataError,
        match=r"poisson: value -1 at index 70001 .*\(2 invalid values in total\)",
    ):
        mlelib.fit("poisson", x)


def test_bools_are_accepted_for_bernoulli():
    assert mlelib.fit("bernoulli", [True, False, True, True]).params == {"p": 0.75}


@pytest.mark.parametrize(
    "data, match",
    [
        ([], "data are empty"),
        (np.array([], dtype=float), "data are empty"),
        (
            [[1.0, 2.0], [3.0, 4.0]],
            r"data must be one-dimensional, got an array of shape \(2, 2\)",
        ),
        (3.0, r"data must be one-dimensional.*wrap it in a list"),
        ([1.0, [2.0, 3.0]], "data must be a one-dimensional sequence of numbers"),
    ],
)
def test_unusable_shapes_are_data_errors(data, match):
    with pytest.raises(DataError, match=f"normal: {match}"):
        mlelib.fit("normal", data)


@pytest.mark.parametrize(
    "data, match",
    [
        (
            [1.0, "a", 2.0],
            r"value 'a' at index 1 is not a number \(strings are not converted\)",
        ),
        (
            ["1", "2"],
            r"value '1' at index 0 is not a number .*allowed: real numbers "
            r"\(2 invalid values in total\)",
        ),
        (np.array(["x", "y"]), r"value 'x' at index 0 is not a number"),
        ([1.0, None], r"value None at index 1 is not a number"),
        (
            np.array([1.0, {}, object()], dtype=object),
            r"value \{\} at index 1 is not a number; allowed: real numbers "
            r"\(2 invalid values in total\)",
        ),
        ([1.0, 2 + 3j], r"value \(2\+3j\) at index 1 is complex"),
        (np.array([1, 2], dtype=complex), r"value \(1\+0j\) at index 0 is complex"),
    ],
)
def test_non_numeric_values_are_named_with_their_index(data, match):
    with pytest.raises(DataError, match=f"normal: {match}") as info:
        mlelib.fit("normal", data)
    assert "allowed: real numbers" in str(info.value)


def test_object_arrays_of_real_numbers_are_accepted():
    from fractions import Fraction

    data = np.array([Fraction(1, 2), 1, 2.5], dtype=object)
    assert mlelib.fit("normal", data).params["mu"] == pytest.approx(4 / 3)


def test_unknown_family_lists_the_known_ones():
    with pytest.raises(
        ValueError, match="unknown family 'gauss'; known families: bernoulli, binomial"
    ) as info:
        mlelib.fit("gauss", [1.0])
    assert not isinstance(info.value, (DataError, NoMaximumError))


def test_misspelt_family_gets_a_suggestion():
    with pytest.raises(
        ValueError, match=r"unknown family 'Normal' \(did you mean 'normal'\?\)"
    ):
        mlelib.loglik("Normal", [1.0], mu=0, sigma2=1)


def test_unknown_keyword_to_fit_is_a_value_error_listing_the_allowed_ones():
    with pytest.raises(
        ValueError, match="binomial: fit got an unexpected keyword 'n'; allowed: trials"
    ):
        mlelib.fit("binomial", [1], n=3)


def test_passing_a_parameter_to_fit_says_it_is_estimated():
    with pytest.raises(ValueError, match="mu is estimated by fit"):
        mlelib.fit("normal", [1.0, 2.0], mu=0)


def test_loglik_with_a_wrong_parameter_name_lists_the_parameters():
    with pytest.raises(
        ValueError,
        match="normal: loglik got an unexpected keyword 'sd'; allowed: mu, sigma2",
    ):
        mlelib.loglik("normal", [1.0], mu=0, sd=1)


def test_loglik_with_a_missing_parameter_names_it():
    with pytest.raises(
        ValueError,
        match="normal: loglik needs the parameters mu, sigma2; missing: sigma2",
    ):
        mlelib.loglik("normal", [1.0], mu=0)


@pytest.mark.parametrize(
    "family, params, match",
    [
        (
            "bernoulli",
            {"p": 1.5},
            r"bernoulli: parameter p=1.5 is outside the parameter space; "
            r"allowed: 0 <= p <= 1",
        ),
        ("bernoulli", {"p": -0.1}, r"allowed: 0 <= p <= 1"),
        (
            "normal",
            {"mu": 0, "sigma2": 0},
            r"normal: parameter sigma2=0 is outside .*sigma2 > 0",
        ),
        (
            "normal",
            {"mu": np.nan, "sigma2": 1},
            r"normal: parameter mu must be a finite real number, got nan",
        ),
        (
            "normal",
            {"mu": "0", "sigma2": 1},
            r"parameter mu must be a finite real number, got '0'",
        ),
        ("poisson", {"lam": -1}, r"poisson: parameter lam=-1 .*lam >= 0"),
        ("categorical", {"p": [0.5, 0.6]}, r"categorical: parameter p=.* sum\(p\) = 1"),
        (
            "categorical",
            {"p": [[1.0]]},
            r"categorical: parameter p must be a non-empty 1-D array",
        ),
    ],
)
def test_loglik_rejects_parameters_outside_the_parameter_space(family, params, match):
    with pytest.raises(ValueError, match=match):
        mlelib.loglik(family, [0, 1], **params)


def test_categorical_loglik_rejects_categories_different_from_len_p():
    with pytest.raises(
        ValueError, match="categorical: categories=3 but p has 2 entries"
    ):
        mlelib.loglik("categorical", [0, 1], p=[0.5, 0.5], categories=3)


def test_normal_with_all_values_equal_has_no_maximum():
    with pytest.raises(
        NoMaximumError, match=r"normal: all 3 values are equal \(5\).*sigma2 -> 0"
    ):
        mlelib.fit("normal", [5, 5, 5])


def test_normal_with_one_value_has_no_maximum():
    with pytest.raises(NoMaximumError):
        mlelib.fit("normal", [2.5])


@pytest.mark.filterwarnings("ignore:overflow encountered")  # numpy reports it too
def test_a_variance_beyond_float64_is_a_data_error_not_nan():
    with pytest.raises(
        DataError,
        match=r"normal: the MLE sigma2 = .* exceeds the float64 range; divide the data",
    ):
        mlelib.fit("normal", [1e200, -1e200, 3e200])


@pytest.mark.parametrize(
    "family",
    ["exponential", "normal", "lognormal", "laplace", "uniform", "weibull", "gamma"],
)
@pytest.mark.parametrize("bad, problem", [(np.nan, "is NaN"), (np.inf, "is infinite")])
def test_a_bad_value_deep_in_a_large_array_is_found_by_every_continuous_family(
    family, bad, problem
):
    x = np.random.default_rng(3).gamma(2.0, 1.0, 200_001)  # many blocks
    x[150_000] = bad
    with pytest.raises(
        DataError, match=rf"{family}: value -?(nan|inf) at index 150000 {problem}"
    ):
        mlelib.fit(family, x)
