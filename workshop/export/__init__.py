"""Exports: one module per format; each reads a saved draft version, never live state."""
