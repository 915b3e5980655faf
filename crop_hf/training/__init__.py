"""The training layer: arguments, the labeled seq2seq trainer and its collator, tokenizer preparation, LST
training, NER data and self-training."""
