"""The CROP run: a recipe, its stages (each a library call), their records, the report."""
