"""MTC Desktop: third-party access to MassTaxConnect tax accounts, as an offline desktop program."""

__version__ = "0.1.0"
APP_NAME = "MTC Desktop"
