"""The simulation: the Mesa model, its clock, states, random streams, flights, countries and agents."""
