"""The ``crop-hf`` commands: argument parsing, checks and summaries around the library (``crop_hf.cli`` runs them)."""
