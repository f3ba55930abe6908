"""Parameters: the schema, its validation and the composition of Hydra configs (imports nothing else of sim)."""
