"""The packaged price lists: complete, sourced, and the pricing package free of I/O libraries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from domain.engineering import FAMILIES, GRADES
from domain.engineering.sections import grade_properties
from domain.pricing import PRICE_LISTS, VERSIONS, PriceList
from domain.pricing.price_lists import NOT_PRICES
from domain.pricing.schemas import EstimateRequest

ROOT = Path(__file__).resolve().parents[3]


def test_every_shipped_version_loads_and_is_offered_by_the_request():
    assert tuple(PRICE_LISTS) == VERSIONS
    assert all(PRICE_LISTS[v].version == v for v in VERSIONS)
    files = sorted(p.stem.removeprefix("price-list-") for p in (ROOT / "domain/pricing/data").glob("*.json"))
    assert files == sorted(VERSIONS)
    offered = EstimateRequest.model_json_schema()["properties"]["price_list"]
    assert offered.get("enum", [offered.get("const")]) == list(VERSIONS)


def test_v1_prices_every_steel_the_engine_can_design():
    designable = {(f, g) for f in FAMILIES for g in GRADES if grade_properties(g, f) is not None}
    for prices in PRICE_LISTS.values():
        priced = {(f, g) for f, grades in prices.steel_per_lb.items() for g in grades}
        assert priced == designable


def test_every_price_has_a_source_note():
    prices = PRICE_LISTS["v1"]
    assert set(prices.sources) == set(PriceList.model_fields) - NOT_PRICES
    assert "$150 per yd3" in prices.sources["concrete_per_yd3"]
    assert "$87-120" in prices.sources["labour_rate_per_hour"]


def test_v1_defaults_follow_the_trade_figures():
    prices = PRICE_LISTS["v1"]
    assert prices.concrete_per_yd3 == 150
    assert 87 <= prices.labour_rate_per_hour <= 120
    assert (prices.engineering.flat_fee_up_to_height, prices.engineering.flat_fee_height_limit_ft) == (
        200,
        25,
    )
    assert prices.engineering.flat_fee_above == 300
    assert 20 <= prices.contingency_percent <= 50
    assert 10 <= prices.engineering.percent_of_construction <= 15


def test_the_pricing_package_imports_no_io_library():
    code = (
        "import sys, domain.pricing; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'sqlalchemy', 'asyncpg', 'redis', 'fastapi', 'starlette', 'nicegui', 'celery', 'httpx', "
        "'requests', 'infra', 'api'}); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
