"""What the package knows about models, in one place.

- :mod:`~yescale.models.families`: which family a model name belongs to and what its API accepts
  (parameter rules, native JSON schema, reasoning).
- :mod:`~yescale.models.kinds`: chat, embedding, image or video: refusing a model an endpoint
  cannot serve before any request.
- :mod:`~yescale.models.limits`: context window and output limit per model.
- :mod:`~yescale.models.images`: the image models' sizes, counts and options.
- :mod:`~yescale.models.profiles`: the capability profile of a model (LangChain's ``profile``,
  LlamaIndex's ``metadata``), built from the above.
"""
