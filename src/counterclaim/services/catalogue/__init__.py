"""The catalogue: sources, actors and their aliases, tags, derivations, and the record pickers."""
