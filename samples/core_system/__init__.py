"""A stand-in for the city's packaged core system (Flask + SQLite, Japanese screens)."""
