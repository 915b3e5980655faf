"""What only the demo and the tests need: the built-in multilingual corpus, its lexicon, tiny models.

Nothing in the core imports this subpackage; ``crop_hf.run`` reaches it only for the ``demo`` recipe and the
``--synthetic`` options of the step commands.
"""
