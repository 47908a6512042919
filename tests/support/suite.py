"""A project with several test files, some failing, for the shard tests.

Enough files and shapes (classes, parametrized ids with spaces, a skip, an error
in a fixture, branches half taken) that a 3-way split is not trivial, and a
feature branch whose changed lines are only partly covered.
"""

from __future__ import annotations

from support.repo import Repo

PYPROJECT = """
[tool.coverage.run]
source = ["shop"]
branch = true

[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = "-q"
"""

CART = '''
"""A shopping cart."""


class Cart:
    def __init__(self):
        self.items = {}

    def add(self, name, count=1):
        if count <= 0:
            raise ValueError("count must be positive")
        self.items[name] = self.items.get(name, 0) + count

    def remove(self, name):
        if name not in self.items:
            return False
        del self.items[name]
        return True

    def total(self, prices):
        return sum(prices[n] * c for n, c in self.items.items())
'''

PRICES = '''
"""Prices and discounts."""


def discount(amount, code):
    if code == "HALF":
        return amount / 2
    if code == "TENOFF":
        return max(amount - 10, 0)
    return amount


def rounded(amount):
    return round(amount, 2)
'''

TEST_CART = """
import pytest

from shop.cart import Cart


def test_add():
    cart = Cart()
    cart.add("apple", 2)
    assert cart.items == {"apple": 2}


def test_add_rejects_zero():
    with pytest.raises(ValueError):
        Cart().add("apple", 0)


class TestRemove:
    def test_present(self):
        cart = Cart()
        cart.add("pear")
        assert cart.remove("pear") is True

    def test_missing_is_reported(self):
        assert Cart().remove("pear") is True


@pytest.mark.parametrize("count", [1, 2, 5])
def test_total(count):
    cart = Cart()
    cart.add("apple", count)
    assert cart.total({"apple": 3}) == 3 * count
"""

TEST_PRICES = """
import pytest

from shop.prices import discount, rounded


@pytest.mark.parametrize(
    "code,expected", [("HALF", 50), ("TENOFF", 90), ("none at all", 100)]
)
def test_discount(code, expected):
    assert discount(100, code) == expected


def test_rounded():
    assert rounded(1.005) == 1.0


@pytest.mark.skip(reason="not yet")
def test_later():
    assert False
"""

TEST_ERRORS = """
import pytest


@pytest.fixture
def broken():
    raise RuntimeError("fixture exploded")


def test_uses_broken(broken):
    assert broken


def test_plain():
    assert 1 + 1 == 2
"""

TEST_EXTRA = """
from shop.cart import Cart


def test_many_items():
    cart = Cart()
    for name in "abcdef":
        cart.add(name)
    assert len(cart.items) == 6


def test_add_twice():
    cart = Cart()
    cart.add("x")
    cart.add("x")
    assert cart.items["x"] == 2
"""

# Imported by a test file that holds no test: only its import is covered, and
# only if some shard still imports that file.
LEGACY = '''
"""Old rates, kept for reports."""

RATES = {"EUR": 1.0, "USD": 1.1}
ORDER = sorted(RATES)


def convert(amount, currency):
    return amount * RATES[currency]
'''

TEST_HELPERS = """
from shop.legacy import RATES


def make_rates():
    return dict(RATES)
"""

# The feature: new code, half tested, and one new failing test.
FEATURE = {
    "shop/prices.py": PRICES
    + """

def tax(amount, country):
    if country == "FR":
        return amount * 1.2
    if country == "DE":
        return amount * 1.19
    return amount
""",
    "tests/test_tax.py": """
from shop.prices import tax


def test_tax_fr():
    assert tax(100, "FR") == 120


def test_tax_wrong():
    assert tax(100, "US") == 101
""",
}


def shop_project(repo: Repo) -> str:
    """Commit the shop on main, push it, and branch `7-add-tax` with the feature."""
    repo.commit(
        "Initial shop",
        {
            "pyproject.toml": PYPROJECT,
            "shop/__init__.py": '"""The shop."""\n',
            "shop/cart.py": CART,
            "shop/prices.py": PRICES,
            "shop/legacy.py": LEGACY,
            "tests/test_helpers.py": TEST_HELPERS,
            "tests/test_cart.py": TEST_CART,
            "tests/test_prices.py": TEST_PRICES,
            "tests/test_errors.py": TEST_ERRORS,
            "tests/test_extra.py": TEST_EXTRA,
            ".gitignore": "__pycache__/\n.pytest_cache/\nmvp-process-shards/\n",
        },
    )
    repo.push("main")
    repo.git("remote", "set-head", "origin", "main")
    repo.switch("7-add-tax", create=True)
    return repo.commit("Add tax", FEATURE)
