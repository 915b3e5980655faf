"""The text core: slots, tags, languages and language identification, tokens, phrase pairs, matching,
filters, word alignment, metrics, projection of one sentence, relabelling, corpus input, slot placement.

Nothing here imports torch or transformers."""
