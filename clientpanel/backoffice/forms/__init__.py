"""Forms of the staff panel, one module per area (import them from their module). They only parse
and present input; the services validate it, and their field errors are shown inline next to what
the user typed."""
