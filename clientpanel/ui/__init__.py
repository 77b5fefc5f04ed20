"""Template tags, labels and partials shared by the interfaces that render pages (the staff panel
now, the client portal later). Owns no models and imports no interface."""
