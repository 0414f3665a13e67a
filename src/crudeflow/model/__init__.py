"""The domain: pure data, no I/O and no solver."""
