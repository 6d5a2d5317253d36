"""Templates: the benefit form's loads; mistakes are reported with the YAML line."""

from __future__ import annotations

import cv2
import pytest

from ocr.preview import render_preview
from ocr.template import load_template, parse_template
from yomikaki.errors import InputError

GOOD = """\
id: demo
blank: blank.png
fields:
  - key: name
    type: printed_text
    zone: [10, 10, 50, 8]
"""


def test_benefit_template_loads_with_all_canonical_fields():
    tpl = load_template("benefit-application")
    keys = {f.key for f in tpl.fields}
    assert {"application_id", "members", "account_number", "account_holder_kana", "seal_present"} <= keys
    assert tpl.blank_path.exists()
    assert tpl.field("account_number").boxes == 7


def test_missing_zone_is_reported_with_its_line():
    text = GOOD + "  - key: phone\n    type: handwritten_digits\n"
    with pytest.raises(InputError) as err:
        parse_template(text, source="demo.yaml")
    assert "demo.yaml:7" in str(err.value) and "zone" in str(err.value)


def test_unknown_type_and_engine_get_did_you_mean():
    with pytest.raises(InputError) as err:
        parse_template(GOOD.replace("printed_text", "printed_txt"), source="t.yaml")
    assert "t.yaml:5" in str(err.value)
    with pytest.raises(InputError) as err:
        parse_template(GOOD + "    engine: printd\n", source="t.yaml")
    assert "did you mean 'printed'" in str(err.value)


def test_yaml_syntax_error_has_line():
    with pytest.raises(InputError) as err:
        parse_template(GOOD + "  - key: [unclosed\n", source="bad.yaml")
    assert "bad.yaml:" in str(err.value)


def test_unknown_template_name_suggests():
    with pytest.raises(InputError) as err:
        load_template("benefit-aplication")
    assert "benefit-application" in str(err.value)


def test_preview_draws_zones_over_the_blank_form(tmp_path):
    out = tmp_path / "preview.png"
    render_preview("benefit-application", None, out)
    img = cv2.imread(str(out))
    blank = cv2.imread(str(load_template("benefit-application").blank_path))
    assert img.shape == blank.shape
    coloured = (abs(img[..., 2].astype(int) - img[..., 0].astype(int)) > 60).mean()
    assert coloured > 0.002  # zones were drawn in colour on the black-and-white form
