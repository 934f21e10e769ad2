"""wdlint inside other tools: a flake8 plugin (`flake8.py`)."""
