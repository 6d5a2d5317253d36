"""Cross-checks with the sample form generator: every bank, branch and answer it can write validates."""

from __future__ import annotations

import random
from datetime import date

from ocr.reference import banks
from ocr.registry import cross_check, registry_fields
from ocr.validate import Rules, validate_fields

RULES = Rules(today=date(2026, 11, 27))


def test_every_institution_and_branch_of_the_generator_is_exact_in_zengin():
    from samples.forms.answers import institutions

    checked = 0
    for institution, _weight in institutions():
        match = banks.match_bank(institution.name, institution.kind)
        assert match is not None and (match.code, match.score) == (institution.code, 1.0), institution.name
        for branch in institution.branches:
            if branch.name is None:  # 本店
                continue
            found = banks.match_branch(institution.code, branch.name)
            assert found is not None and found.score == 1.0, (institution.name, branch.name)
            assert found.base_name == branch.name
            checked += 1
    assert checked >= 100


def test_generated_forms_validate_and_cross_check_clean():
    from samples.core_system.seed import generate_households
    from samples.forms.answers import choose_answers

    rng = random.Random(20260701)
    households = generate_households(seed=7, count=250)
    failures = {}
    yucho = 0
    for household in households:
        fields = registry_fields(household)
        answers = choose_answers(household, rng)
        fields.update({k: v for k, v in answers.items() if not k.startswith("_")})
        yucho += bool(fields["yucho_symbol"])
        errors = validate_fields(fields, rules=RULES)
        problems = cross_check(fields, household)
        if errors or problems:
            failures[household["application_id"]] = (errors, problems)
    assert failures == {}
    assert 10 <= yucho <= 100  # both account blocks were exercised
