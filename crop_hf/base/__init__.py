"""The base layer: crop-hf's errors, optional extras, atomic files and resumable runs, Hub I/O, folder locks.

It imports nothing else of crop_hf."""
