"""Robot runtime: scenario model + loader, steps, runner, work queue, evidence, secrets.

Public API::

    from robots import run_scenario, load_scenario, RunResult, BusinessError, SystemError_

    result = run_scenario("scenarios/benefit_registration.yaml", input_path="rows.jsonl",
                          overrides={"core_url": "http://127.0.0.1:8765"}, workers=2)
    result.run_id, result.status, result.totals, result.results_path
"""

from robots.errors import BusinessError, SystemError_


def __getattr__(name: str):  # lazy: importing robots must stay cheap (the CLI imports it)
    if name in ("run_scenario", "RunResult"):
        from robots import runner

        return getattr(runner, name)
    if name == "load_scenario":
        from robots.loader import load_scenario

        return load_scenario
    raise AttributeError(name)


__all__ = ["BusinessError", "RunResult", "SystemError_", "load_scenario", "run_scenario"]
