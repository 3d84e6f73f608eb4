"""MTC Desktop: third-party access to MassTaxConnect tax accounts, as an offline desktop program."""

from mtc_desktop.store import drivers as _drivers

__version__ = "0.1.0"
APP_NAME = "MTC Desktop"

# peewee, once imported, without PostgreSQL's driver: that loads only for a PostgreSQL
# database (store/drivers.py).
_drivers.install()
