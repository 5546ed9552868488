"""Project helpers with no other home: a file-based key/value registry and small utilities."""
