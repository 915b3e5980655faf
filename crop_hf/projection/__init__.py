"""The projection layer: the ``crop-projection`` pipeline, its inputs, options and saved config, and corpus
projection into resumable shards."""
