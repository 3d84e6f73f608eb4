"""Use cases. Every call takes the acting logon, checks its rights, runs in one transaction
with its audit event and the messages it causes, and returns plain frozen data.

Modules by area: ``logons``, ``accounts``, ``requests``, ``grants``, ``clients``,
``notifications``, ``correspondence``, ``audit``, ``settings``; ``demo`` builds demo data.
"""
