"""The offline synthesizer: answers the tests' requests from the YEScale API reference.

Used only to (re)generate cassettes with
``YESCALE_SYNTHESIZE=1 pytest tests --record-mode=rewrite``; replay never touches it. ``routes.py``
routes requests to the canned answers in ``answers*.py``, each citing its source; ``reference/``
holds verbatim copies of the reference's example bodies.
"""
