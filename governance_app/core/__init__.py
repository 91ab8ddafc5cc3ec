"""Site-wide pieces: home page, language choice, operator commands."""
