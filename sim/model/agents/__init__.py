"""The model's agents: migrants, national agencies, attachés and third-country authorities."""
