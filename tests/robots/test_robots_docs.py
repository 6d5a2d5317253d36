"""docs/scenarios.md: every step is documented, and every YAML example loads."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from robots.loader import load_scenario
from robots.steps.base import load_all

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "scenarios.md"
BLOCKS = re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)


def test_robots_guide_has_a_section_per_step():
    text = GUIDE.read_text(encoding="utf-8")
    headings = set()
    for line in text.splitlines():
        if line.startswith("#### "):
            headings.update(n.strip() for n in line[5:].split("—")[0].split("/"))
    assert set(load_all()) <= headings, set(load_all()) - headings


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_robots_guide_example_loads(index, tmp_path):
    block = BLOCKS[index]
    parts = tmp_path / "parts"
    shutil.copytree(REPO / "scenarios" / "parts", parts)
    (parts / "search_household.yaml").write_text("name: 部品\nsteps:\n  - goto: /residents/search\n",
                                                 encoding="utf-8")
    data = YAML(typ="safe").load(block)
    path = tmp_path / "example.yaml"
    if isinstance(data, list):
        indented = "".join(f"  {line}\n" for line in block.splitlines())
        path.write_text("name: 例\nvars: {core_url: x, month: '', attachment: a.pdf, confirmed: c.jsonl}\n"
                        f"steps:\n{indented}", encoding="utf-8")
        scenario = load_scenario(path)
        assert len(scenario.steps) == len(data)
    else:
        prefix = "" if "name" in data else "name: 例\nsteps: []\n"  # a fragment, e.g. a check block
        path.write_text(prefix + block, encoding="utf-8")
        scenario = load_scenario(path)
        assert scenario.name == data.get("name", "例")
        assert scenario.check is not None or "check" not in data


def test_robots_shipped_schema_is_up_to_date():
    import json

    from robots.schema import scenario_schema

    shipped = json.loads((REPO / "scenarios" / "scenario.schema.json").read_text(encoding="utf-8"))
    assert shipped == json.loads(json.dumps(scenario_schema(), ensure_ascii=False))
