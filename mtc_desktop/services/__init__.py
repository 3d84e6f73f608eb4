"""Use cases. Every call takes the acting logon, checks its rights, runs in one transaction
with its audit event and the messages it causes, and returns plain frozen data.

Modules by area: ``logons``, ``accounts``, ``requests``, ``grants``, ``clients``,
``notifications``, ``correspondence``, ``audit``, ``settings``, ``staff`` (DOR staff
logons, setting up a new database), ``registry`` (the taxpayers and tax accounts DOR knows,
one at a time or from a CSV file), ``poa`` (Powers of Attorney from signed Forms M-2848, and
the information requests they allow); ``demo`` builds demo data through them.
"""
