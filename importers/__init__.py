"""Importers for treasurers' spreadsheets (see importers/README.md)."""
