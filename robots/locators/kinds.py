"""Locator kinds: Playwright's own (role, label, text…), legacy tables, css / xpath."""

from __future__ import annotations

import re

from robots.locators.base import kind


def _exact(spec, default: bool | None = None):
    return spec.exact if spec.exact is not None else default


@kind("role")
def by_role(root, spec, v):
    kwargs = {}
    if "name" in v:
        kwargs["name"] = v["name"]
        if spec.exact is not None:
            kwargs["exact"] = spec.exact
    return root.get_by_role(v["role"], **kwargs)


@kind("label")
def by_label(root, spec, v):
    return root.get_by_label(v["label"], exact=_exact(spec, False))


@kind("text")
def by_text(root, spec, v):
    return root.get_by_text(v["text"], exact=_exact(spec, False))


@kind("text_matches")
def by_text_matches(root, spec, v):
    return root.get_by_text(re.compile(v["text_matches"]))


@kind("placeholder")
def by_placeholder(root, spec, v):
    return root.get_by_placeholder(v["placeholder"], exact=_exact(spec, False))


@kind("test_id")
def by_test_id(root, spec, v):
    return root.get_by_test_id(v["test_id"])


@kind("alt")
def by_alt(root, spec, v):
    return root.get_by_alt_text(v["alt"], exact=_exact(spec, False))


@kind("title_attr")
def by_title(root, spec, v):
    return root.get_by_title(v["title_attr"], exact=_exact(spec, False))


def xpath_literal(text: str) -> str:
    """A string literal for XPath 1.0 (handles both quote kinds)."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    parts = text.split("'")
    return "concat(" + ", \"'\", ".join(f"'{p}'" for p in parts) + ")"


FIELD = "*[self::input[not(@type='hidden')] or self::select or self::textarea]"


def field_or_cell(cell_xpath: str) -> str:
    """The form field inside the cell, or the cell itself when it holds none (read-only text)."""
    return f"{cell_xpath}//{FIELD} | {cell_xpath}[not(.//{FIELD})]"


@kind("next_to")
def by_header_cell(root, spec, v):
    """``<th>口座番号</th><td><input></td>`` (or ``<dt>受付番号</dt><dd>…</dd>``): the field, or the
    value cell, right after the header cell."""
    header = xpath_literal(v["next_to"].strip())
    cell = f"//*[self::th or self::dt][normalize-space(.)={header}]/following-sibling::*[self::td or self::dd][1]"
    return root.locator(f"xpath={field_or_cell(cell)}")


@kind("column")
def by_column_and_row(root, spec, v):
    """The field (or the cell) in the column headed ``column`` of the row having a cell ``row``."""
    column = xpath_literal(v["column"].strip())
    row = xpath_literal(v["row"].strip())
    position = f"count(ancestor::table[1]//tr[th][1]/th[normalize-space(.)={column}]/preceding-sibling::*)+1"
    cell = (
        f"//table[.//th[normalize-space(.)={column}]]//tr[td[normalize-space(.)={row}]]"
        f"/*[self::td or self::th][position()={position}]"
    )
    return root.locator(f"xpath={field_or_cell(cell)}")


@kind("css")
def by_css(root, spec, v):
    return root.locator(v["css"])


@kind("xpath")
def by_xpath(root, spec, v):
    return root.locator(f"xpath={v['xpath']}")
