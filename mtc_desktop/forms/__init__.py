"""Printed forms: the Client Authorization, rendered with ReportLab from a frozen view.

Nothing here touches the database or Qt: a renderer is a pure function from a view model
to PDF bytes (``services.printing`` builds the view; ``gui.pdf_preview`` shows the bytes).
"""
