"""Small helpers with no knowledge of the domain: clock, HTTP, YAML with line numbers, logging."""
