"""Translation between the OpenAI format the package speaks inside and what each API takes.

- :mod:`~yescale.translate.openai_schema`: JSON schemas and tools as OpenAI's strict mode takes
  them.
- :mod:`~yescale.translate.gemini_schema`: JSON schema to Gemini's ``Schema``.
- :mod:`~yescale.translate.gemini_chat`: OpenAI-format chat to and from ``generateContent``.
- :mod:`~yescale.translate.answer_tool`: a JSON-schema answer format as a forced function, for
  the families whose chat endpoint refuses it.
"""
