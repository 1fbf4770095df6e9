"""Indicators from register data: data model, definitions as data, engines, disclosure control."""
