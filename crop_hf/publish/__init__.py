"""Publishing: model and dataset cards, pushes to the Hub with only what a model needs, the Gradio Space."""
