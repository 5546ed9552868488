"""Normalisation of a project config into machines with defaults and globals applied."""
