"""Samples: the sample core system, the benefit form and its template, sample jobs."""
