"""Files <-> domain objects, nothing else."""
