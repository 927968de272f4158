"""Domain structs and enums shared by every layer; no I/O happens here."""
