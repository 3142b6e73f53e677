"""Scale tests: the rate budget, corpus parts, and corpus embedding on a local Ray (``ray``)."""
