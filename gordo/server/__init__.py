"""The ML server: one Flask app serving every model of a project (see server.py).

Importing the server imports no deep-learning framework; a model's framework is
imported when that model is first loaded.
"""
