# curl's event-loop examples (filled in below)
