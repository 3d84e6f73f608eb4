"""Generated from ui/*.ui by packaging/compile_ui.py; never edit by hand."""
