"""The database the models use, bound at start-up (:func:`store.database.open_database`).

Its own module, so that opening the database does not wait for the model classes: they
are made when a service first needs them, and use whatever database this proxy holds by
then (``store/models.py`` imports it from here).
"""

from __future__ import annotations

from peewee import DatabaseProxy

db = DatabaseProxy()
