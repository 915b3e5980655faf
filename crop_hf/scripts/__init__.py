"""Entry points shared by ``crop-hf <command>`` and ``examples/<command>.py`` (same arguments, same code)."""
