"""The typed HTTP contract: /openapi.json describes every answer, and the dashboard's
TypeScript types are what openapi-typescript makes of it today (``make types`` writes
them into dashboard/src/openapi.ts)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from pageheat.web.server import openapi_schema

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "node_modules" / ".bin" / "openapi-typescript"
TYPES = ROOT / "dashboard" / "src" / "openapi.ts"


def test_every_answer_of_every_operation_has_a_schema():
    schema = openapi_schema()
    seen = 0
    for path, item in schema["paths"].items():
        for method, op in item.items():
            for status, answer in op["responses"].items():
                where = (method.upper(), path, status)
                if status == "204":
                    assert "content" not in answer, where
                    continue
                assert answer.get("content"), where
                for media, body in answer["content"].items():
                    if media == "application/json":
                        # a named model, not "any object"
                        assert "$ref" in body.get("schema", {}), where
                        seen += 1
    assert seen > 50


def test_the_dashboards_types_are_generated_from_the_current_schema(tmp_path):
    assert GENERATOR.exists(), "openapi-typescript is missing: run make install (npm ci)"
    source = tmp_path / "openapi.json"
    source.write_text(json.dumps(openapi_schema()))
    made = tmp_path / "openapi.ts"
    subprocess.run([str(GENERATOR), str(source), "-o", str(made)], check=True,
                   capture_output=True, timeout=120, cwd=ROOT)  # fmt: skip
    assert made.read_text() == TYPES.read_text(), (
        "dashboard/src/openapi.ts is not what the current /openapi.json makes: run make types"
    )


@pytest.mark.parametrize(
    "name", ["Heatmap", "Insights", "Comparison", "App", "Error", "KindsAnswer", "PalettesAnswer"]
)
def test_the_generated_types_name_the_answers(name):
    assert f"        {name}: {{" in TYPES.read_text()
