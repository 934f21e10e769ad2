"""wdlint inside other tools: a flake8 plugin (`flake8.py`), a Lightning callback
(`lightning.py`) and a Hugging Face `TrainerCallback` (`huggingface.py`)."""
