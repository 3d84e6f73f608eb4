"""The names of a Client Authorization's form fields: what the renderer writes and what
reading a returned form looks for. Plain text, so that reading needs no ReportLab."""

from __future__ import annotations

import re

PRINTED_NAME_FIELD = "printed_name"
TITLE_FIELD = "title"
DATE_FIELD = "signature_date"
REQUEST_NUMBER_FIELD = "request_number"
CODE_FIELD = "authorization_code"
_UNSAFE = re.compile(r"[^A-Za-z0-9-]")


def give_rights_field(account_number: str) -> str:
    return f"give_rights_{_UNSAFE.sub('_', account_number)}"


def granted_rights_field(account_number: str) -> str:
    return f"granted_rights_{_UNSAFE.sub('_', account_number)}"
