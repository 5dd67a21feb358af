"""The engine's JSON output (CLI and API) is byte-identical to the recorded golden corpus."""

import json

import pytest

from tests.unit.engineering.golden import CORPUS, api_body, cli_text, sha256

CASES = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]


def test_the_corpus_covers_every_kind_valid_and_refused_inputs():
    kinds = {c["kind"] for c in CASES}
    assert kinds == {"wind", "embedment", "pole", "sign"}
    assert len(CASES) >= 1200
    texts = [cli_text(c["kind"], c["input"]) for c in CASES if c["kind"] == "sign"]
    assert any('"invalid_input"' in t for t in texts) and any('"base_plate": {' in t for t in texts)


@pytest.mark.parametrize("kind", ["wind", "embedment", "pole", "sign"])
def test_cli_and_api_output_is_byte_identical_to_the_golden_corpus(kind):
    mismatches = []
    for i, case in enumerate(c for c in CASES if c["kind"] == kind):
        if sha256(cli_text(kind, case["input"])) != case["cli_sha256"]:
            mismatches.append((i, "cli", case["input"]))
        if sha256(api_body(kind, case["input"])) != case["api_sha256"]:
            mismatches.append((i, "api", case["input"]))
    assert not mismatches, f"{len(mismatches)} outputs changed; first: {mismatches[0]}"
