"""Alert rules: reading alerts.yml into the rule model, and pure evaluation of one series."""
