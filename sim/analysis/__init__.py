"""Reading results folders: sweep reports, effects, intervals, incidence and comparisons (never the model)."""
