"""Robot runtime: scenario model + loader, steps, runner, work queue, evidence, secrets."""
