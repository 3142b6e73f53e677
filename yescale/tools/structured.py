"""Structured extraction with Gemini: text in, data valid against a schema out.

:func:`extract_structured` is the one implementation behind
``YEScaleGeminiStructuredOutputTool`` (LangChain) and ``YEScaleToolSpec.extract_structured``
(LlamaIndex). It calls Gemini's native ``generateContent`` with
``responseMimeType: application/json`` and ``responseSchema`` (translated once, by
:func:`yescale.translate.gemini_schema.to_gemini_schema`), optionally with a thinking budget, then:

* parses the answer as JSON: if it is not JSON (e.g. cut off at ``MAX_TOKENS``),
  :class:`StructuredOutputError` says so and carries the raw text;
* validates it against the schema: a pydantic model with ``model_validate``, any other type
  (``TypedDict``, ``list[Model]``...) with a pydantic ``TypeAdapter``, and a JSON-schema dict
  with a ``TypeAdapter`` over a type built from that schema (strict: no coercion), so no
  ``jsonschema`` dependency. Data that does not validate raises :class:`StructuredOutputError`
  too, with the problems and the raw text.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model

from ..errors import InvalidRequestError, InvalidResponseError
from ..translate.gemini_schema import to_gemini_schema
from ..types.gemini import GenerateContentResponse

if TYPE_CHECKING:
    from .._client import YEScaleClient

DEFAULT_STRUCTURED_MODEL = "gemini-2.5-flash"
DEFAULT_INSTRUCTIONS = (
    "Extract the requested data from the text the user gives you. Answer only with JSON that "
    "follows the response schema. Use only information stated in the text; where the text does "
    "not give a value, use null if the schema allows it, otherwise your best faithful reading."
)

SchemaLike = Union[type[BaseModel], Mapping[str, Any], Any]  # noqa: UP007 (runtime alias)


class StructuredOutputError(InvalidResponseError):
    """Gemini's answer is not JSON, or not valid against the schema; ``raw_text`` holds it."""

    def __init__(
        self,
        message: str,
        *,
        raw_text: str,
        finish_reason: str | None = None,
        errors: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.raw_text = raw_text
        self.finish_reason = finish_reason
        self.errors = errors or []


@dataclass
class StructuredResult:
    """Validated data (JSON-ready), the pydantic object when the schema is a model, the raw text."""

    data: Any
    raw_text: str
    model: str
    parsed: Any = None
    finish_reason: str | None = None
    usage: dict[str, Any] | None = field(default=None)

    def summary(self) -> str:
        return json.dumps(self.data, ensure_ascii=False)

    def __str__(self) -> str:
        return self.summary()


# -- schemas -----------------------------------------------------------------------------------


class SchemaValidator:
    """The JSON schema of a pydantic model, ``TypedDict``, type or JSON-schema dict, and a
    validator for data against it."""

    def __init__(self, schema: SchemaLike) -> None:
        self.schema = schema
        self.model: type[BaseModel] | None = None
        self.strict = False
        if isinstance(schema, type) and issubclass(schema, BaseModel):
            self.model = schema
            self.json_schema: dict[str, Any] = schema.model_json_schema()
            self.adapter: TypeAdapter[Any] = TypeAdapter(schema)
        elif isinstance(schema, Mapping):
            self.json_schema = dict(schema)
            self.adapter = TypeAdapter(json_schema_to_type(self.json_schema))
            self.strict = True
        else:
            try:
                self.adapter = TypeAdapter(schema)
                self.json_schema = self.adapter.json_schema()
            except Exception as exc:  # pydantic raises several kinds here
                raise InvalidRequestError(
                    "`schema` must be a pydantic model class, a TypedDict or other type pydantic "
                    f"can validate, or a JSON-schema dict; got {schema!r:.80} ({exc})."
                ) from None
        self.gemini_schema = to_gemini_schema(self.json_schema)

    @property
    def title(self) -> str:
        return str(self.json_schema.get("title") or getattr(self.schema, "__name__", "data"))

    @property
    def description(self) -> str:
        return str(self.json_schema.get("description") or "")

    def validate(self, data: Any) -> tuple[Any, Any]:
        """``(JSON-ready data, parsed object)``; raises ``ValidationError``."""
        if self.model is not None:
            parsed = self.model.model_validate(data)
            return parsed.model_dump(mode="json"), parsed
        value = self.adapter.validate_python(data, strict=self.strict or None)
        if self.strict:
            return data, value
        return self.adapter.dump_python(value, mode="json"), value


def json_schema_to_type(schema: Mapping[str, Any]) -> Any:
    """A Python type pydantic can validate with, built from a JSON schema.

    Covers what ``responseSchema`` can express: ``type`` (and type lists), ``properties`` /
    ``required``, ``items``, ``enum`` / ``const``, ``nullable``, ``anyOf`` / ``oneOf``, local
    ``$ref``, and the usual length and range bounds. Objects allow extra keys, as JSON Schema does.
    """
    return _TypeBuilder(schema).build(schema, "Root")


class _TypeBuilder:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.defs: dict[str, Any] = {
            **dict(root.get("definitions", {}) or {}),
            **dict(root.get("$defs", {}) or {}),
        }
        self.count = 0

    def build(self, schema: Any, name: str, depth: int = 0) -> Any:
        if depth > 60:
            raise InvalidRequestError("The schema nests too deeply (or is recursive).")
        if schema is True or not isinstance(schema, Mapping) or not schema:
            return Any
        if "$ref" in schema:
            ref = str(schema["$ref"])
            target = self.defs.get(ref.rsplit("/", 1)[-1])
            if target is None:
                raise InvalidRequestError(f"Schema reference {ref!r} cannot be resolved.")
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            return self.build({**target, **rest}, ref.rsplit("/", 1)[-1], depth + 1)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [self.build(o, name, depth + 1) for o in schema[key]]
                return self._nullable(Union[tuple(options)], schema)  # noqa: UP007
        if "allOf" in schema and len(schema["allOf"]) == 1:
            rest = {k: v for k, v in schema.items() if k != "allOf"}
            return self.build({**schema["allOf"][0], **rest}, name, depth + 1)
        if "const" in schema:
            return Literal[schema["const"]]
        if "enum" in schema:
            return self._nullable(Literal[tuple(schema["enum"])], schema)
        kind = schema.get("type")
        if isinstance(kind, list):
            options = [self.build({**schema, "type": t}, name, depth + 1) for t in kind]
            return Union[tuple(options)]  # noqa: UP007
        if isinstance(kind, str):
            kind = kind.lower()
        if kind is None:
            kind = "object" if "properties" in schema else "array" if "items" in schema else None
        built = self._typed(kind, schema, name, depth)
        return self._nullable(built, schema)

    def _typed(self, kind: str | None, schema: Mapping[str, Any], name: str, depth: int) -> Any:
        constraints: dict[str, Any] = {}
        if kind == "string":
            for src, dst in (("minLength", "min_length"), ("maxLength", "max_length")):
                if src in schema:
                    constraints[dst] = schema[src]
            if "pattern" in schema:
                constraints["pattern"] = schema["pattern"]
            return Annotated[str, Field(**constraints)] if constraints else str
        if kind in ("number", "integer"):
            base: Any = int if kind == "integer" else float
            for src, dst in (
                ("minimum", "ge"),
                ("maximum", "le"),
                ("exclusiveMinimum", "gt"),
                ("exclusiveMaximum", "lt"),
            ):
                if isinstance(schema.get(src), int | float) and not isinstance(
                    schema.get(src), bool
                ):
                    constraints[dst] = schema[src]
            return Annotated[base, Field(**constraints)] if constraints else base
        if kind == "boolean":
            return bool
        if kind == "null":
            return None
        if kind == "array":
            item = self.build(schema.get("items", {}), f"{name}Item", depth + 1)
            for src, dst in (("minItems", "min_length"), ("maxItems", "max_length")):
                if src in schema:
                    constraints[dst] = schema[src]
            listed = list[item]  # type: ignore[valid-type]
            return Annotated[listed, Field(**constraints)] if constraints else listed
        if kind == "object":
            properties = schema.get("properties") or {}
            if not properties:
                return dict[str, Any]
            return self._model(schema, properties, name, depth)
        return Any

    def _model(
        self, schema: Mapping[str, Any], properties: Mapping[str, Any], name: str, depth: int
    ) -> Any:
        required = set(schema.get("required") or [])
        fields: dict[str, Any] = {}
        for i, (prop, sub) in enumerate(properties.items()):
            annotation = self.build(sub, f"{name}_{prop}", depth + 1)
            safe = prop if prop.isidentifier() and not keyword.iskeyword(prop) else f"field_{i}"
            if safe.startswith(("_", "model_")):
                safe = f"field_{i}"
            if prop in required:
                fields[safe] = (annotation, Field(..., alias=prop))
            else:
                fields[safe] = (Optional[annotation], Field(None, alias=prop))  # noqa: UP045
        self.count += 1
        title = re.sub(r"\W", "_", str(schema.get("title") or name)) or "Model"
        return create_model(  # type: ignore[call-overload]
            f"{title}_{self.count}",
            __config__=ConfigDict(extra="allow", populate_by_name=False),
            **fields,
        )

    @staticmethod
    def _nullable(built: Any, schema: Mapping[str, Any]) -> Any:
        return Optional[built] if schema.get("nullable") else built  # noqa: UP045


# -- the call ----------------------------------------------------------------------------------


def build_request(
    validator: SchemaValidator,
    text: str,
    *,
    instructions: str | None = None,
    thinking_budget: int | None = None,
    temperature: float | None = None,
    generation_config: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``generateContent`` parameters (``contents`` + config) for an extraction."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidRequestError("`text` must be a non-empty string to extract data from.")
    config: dict[str, Any] = dict(generation_config or {})
    config["responseMimeType"] = "application/json"
    config["responseSchema"] = validator.gemini_schema
    if temperature is not None:
        config["temperature"] = temperature
    if thinking_budget is not None:
        config["thinkingConfig"] = {
            **dict(config.get("thinkingConfig") or {}),
            "thinkingBudget": thinking_budget,
        }
    system = DEFAULT_INSTRUCTIONS
    if instructions and instructions.strip():
        system += "\n\n" + instructions.strip()
    return {
        "contents": [{"role": "user", "parts": [{"text": text}]}],
        "system_instruction": {"parts": [{"text": system}]},
        "generation_config": config,
    }


def parse_response(
    validator: SchemaValidator, response: GenerateContentResponse, model: str
) -> StructuredResult:
    """Parse and validate Gemini's JSON answer (raises :class:`StructuredOutputError`)."""
    raw = response.text
    finish = response.candidates[0].finish_reason if response.candidates else None
    if not response.candidates:
        blocked = response.prompt_feedback.block_reason if response.prompt_feedback else None
        raise StructuredOutputError(
            f"Gemini ({model}) returned no answer"
            + (f": the prompt was blocked ({blocked})." if blocked else "."),
            raw_text=raw,
            finish_reason=finish,
        )
    try:
        data = json.loads(raw)
    except ValueError as exc:
        hint = (
            " The answer was cut off (MAX_TOKENS): raise the output limit or lower the thinking "
            "budget."
            if finish == "MAX_TOKENS"
            else ""
        )
        raise StructuredOutputError(
            f"Gemini ({model}) did not return valid JSON ({exc}; finish reason {finish}).{hint} "
            f"Raw text: {raw[:2000]!r}",
            raw_text=raw,
            finish_reason=finish,
        ) from None
    try:
        clean, parsed = validator.validate(data)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}"
            for err in exc.errors()
        ]
        raise StructuredOutputError(
            f"Gemini ({model}) returned JSON that does not match the schema "
            f"{validator.title!r}: {'; '.join(problems[:10])}. Raw text: {raw[:2000]!r}",
            raw_text=raw,
            finish_reason=finish,
            errors=problems,
        ) from None
    usage = (
        response.usage_metadata.model_dump(exclude_none=True) if response.usage_metadata else None
    )
    return StructuredResult(
        data=clean, raw_text=raw, model=model, parsed=parsed, finish_reason=finish, usage=usage
    )


class StructuredExtractor:
    """Extract data valid against ``schema`` from text, with a Gemini model on YEScale.

    Args:
        client: the :class:`~yescale.YEScaleClient`.
        schema: a pydantic model class, a ``TypedDict`` (or other type), or a JSON-schema dict.
        model: a Gemini model (default ``gemini-2.5-flash``).
        instructions: added to the system instruction of every call.
        thinking_budget: thinking tokens (``0`` off on Flash, ``-1`` dynamic, ``None`` default).
        temperature: sampling temperature (``None``: the model's default).
        generation_config: extra ``generationConfig`` fields, sent as given.
    """

    def __init__(
        self,
        client: YEScaleClient,
        schema: SchemaLike,
        *,
        model: str = DEFAULT_STRUCTURED_MODEL,
        instructions: str | None = None,
        thinking_budget: int | None = None,
        temperature: float | None = None,
        generation_config: Mapping[str, Any] | None = None,
    ) -> None:
        self.client = client
        self.validator = SchemaValidator(schema)
        self.model = model
        self.instructions = instructions
        self.thinking_budget = thinking_budget
        self.temperature = temperature
        self.generation_config = dict(generation_config or {})

    def request(self, text: str, instructions: str | None = None) -> dict[str, Any]:
        joined = "\n\n".join(
            i.strip() for i in (self.instructions, instructions) if i and i.strip()
        )
        return build_request(
            self.validator,
            text,
            instructions=joined or None,
            thinking_budget=self.thinking_budget,
            temperature=self.temperature,
            generation_config=self.generation_config,
        )

    def extract(self, text: str, instructions: str | None = None) -> StructuredResult:
        params = self.request(text, instructions)
        response = self.client.gemini.generate_content(model=self.model, **params)
        return parse_response(self.validator, response, self.model)

    async def aextract(self, text: str, instructions: str | None = None) -> StructuredResult:
        params = self.request(text, instructions)
        response = await self.client.aio.gemini.generate_content(model=self.model, **params)
        return parse_response(self.validator, response, self.model)


def extract_structured(
    client: YEScaleClient,
    *,
    schema: SchemaLike,
    text: str,
    instructions: str | None = None,
    model: str = DEFAULT_STRUCTURED_MODEL,
    thinking_budget: int | None = None,
) -> StructuredResult:
    """One-shot :meth:`StructuredExtractor.extract`."""
    extractor = StructuredExtractor(client, schema, model=model, thinking_budget=thinking_budget)
    return extractor.extract(text, instructions)


async def aextract_structured(
    client: YEScaleClient,
    *,
    schema: SchemaLike,
    text: str,
    instructions: str | None = None,
    model: str = DEFAULT_STRUCTURED_MODEL,
    thinking_budget: int | None = None,
) -> StructuredResult:
    """Async twin of :func:`extract_structured`."""
    extractor = StructuredExtractor(client, schema, model=model, thinking_budget=thinking_budget)
    return await extractor.aextract(text, instructions)
