"""Resource groups of the client (``client.chat``, ``client.aio.chat``, ...)."""
