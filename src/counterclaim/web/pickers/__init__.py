"""Record pickers ' search, as JSON for picker.js."""
