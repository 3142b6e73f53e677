"""The per-call shortcuts taken for speed (issue 7) give what the frameworks' own paths give.

Each shortcut replaces work LangChain or LlamaIndex repeats on every call; these tests hold each
one to the result of the path it replaces (and ``llm_output`` to what one prompt should give).
"""

from __future__ import annotations

import inspect
import types
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.utils._signature import _signature_parameters
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole
from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.span.simple import SimpleSpan
from llama_index.core.instrumentation.span_handlers import BaseSpanHandler
from pydantic import PrivateAttr

from langchain_yescale import ChatYEScale, ChatYEScaleGemini
from llama_index_yescale import YEScale, YEScaleGemini
from tests.conftest import warnings_as_errors
from yescale._signature import presigned

KEY = "sk-test-shortcuts"


def _fresh_signature(function: Callable[..., Any]) -> inspect.Signature:
    """The signature ``inspect`` builds for ``function`` when none is stored on it."""
    copy = types.FunctionType(
        function.__code__,
        function.__globals__,
        function.__name__,
        function.__defaults__,
        function.__closure__,
    )
    copy.__kwdefaults__ = function.__kwdefaults__
    copy.__annotations__ = function.__annotations__
    return inspect.signature(copy)


# -- presigned -------------------------------------------------------------------------------------


def test_presigned_stores_the_signature_inspect_builds() -> None:
    def call(self: Any, a: int, b: str = "x", *rest: Any, c: bool = False, **extra: Any) -> None:
        del self, a, b, rest, c, extra

    expected = _fresh_signature(call)
    assert presigned(call) is call
    assert call.__signature__ == expected  # type: ignore[attr-defined]
    assert inspect.signature(call) == expected


@pytest.mark.parametrize("cls", [ChatYEScale, ChatYEScaleGemini])
@pytest.mark.parametrize("name", ["_generate", "_agenerate"])
def test_langchain_generate_signature_is_stored_and_unchanged(cls: type, name: str) -> None:
    function = getattr(cls, name)
    assert "__signature__" in vars(function)
    assert inspect.signature(function) == _fresh_signature(function)
    llm = cls(model="gpt-4o-mini" if cls is ChatYEScale else "gemini-2.5-flash", api_key=KEY)
    # What BaseChatModel asks on every call: is run_manager passed through?
    assert "run_manager" in _signature_parameters(getattr(llm, name))


@pytest.mark.parametrize(
    "name",
    [
        "chat",
        "stream_chat",
        "complete",
        "stream_complete",
        "achat",
        "astream_chat",
        "acomplete",
        "astream_complete",
    ],
)
def test_llamaindex_interface_signatures_are_stored_and_unchanged(name: str) -> None:
    wrapper = getattr(YEScale, name)
    # The class attribute is LlamaIndex's span wrapper around its callback wrapper around ours.
    callback_wrapper = wrapper.__wrapped__
    assert "__signature__" in vars(callback_wrapper)
    assert inspect.signature(callback_wrapper) == _fresh_signature(callback_wrapper)


class _Spans(BaseSpanHandler[SimpleSpan]):
    """Records the arguments the dispatcher bound for each span."""

    _bound: list[inspect.BoundArguments] = PrivateAttr(default_factory=list)

    def new_span(
        self,
        id_: str,
        bound_args: inspect.BoundArguments,
        instance: Any | None = None,
        parent_span_id: str | None = None,
        tags: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> SimpleSpan:
        self._bound.append(bound_args)
        return SimpleSpan(id_=id_, parent_id=parent_span_id)

    def prepare_to_exit_span(
        self,
        id_: str,
        bound_args: inspect.BoundArguments,
        instance: Any | None = None,
        result: Any | None = None,
        **kwargs: Any,
    ) -> SimpleSpan | None:
        return None

    def prepare_to_drop_span(
        self,
        id_: str,
        bound_args: inspect.BoundArguments,
        instance: Any | None = None,
        err: BaseException | None = None,
        **kwargs: Any,
    ) -> SimpleSpan | None:
        return None


@pytest.mark.parametrize("cls", [YEScale, YEScaleGemini])
def test_llamaindex_spans_still_bind_the_call_arguments(
    cls: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content="hi"))
    monkeypatch.setattr(cls, "_chat", lambda self, messages, **kwargs: answer)
    llm = cls(model="gpt-4o-mini" if cls is YEScale else "gemini-2.5-flash", api_key=KEY)
    handler = _Spans()
    root = get_dispatcher()
    monkeypatch.setattr(root, "span_handlers", [*root.span_handlers, handler])
    messages = [ChatMessage(role=MessageRole.USER, content="hello")]

    assert llm.chat(messages, temperature=0.5).message.content == "hi"

    chat_spans = [b for b in handler._bound if "messages" in b.arguments]
    assert chat_spans, "no span bound the chat arguments"
    assert chat_spans[0].arguments["messages"] == messages
    assert chat_spans[0].arguments["kwargs"] == {"temperature": 0.5}


# -- LangChain invocation params -------------------------------------------------------------------


@pytest.mark.parametrize(
    "llm",
    [
        ChatYEScale(model="gpt-4o-mini", api_key=KEY, temperature=0.2, max_tokens=50, seed=7),
        ChatYEScale(model="o3-mini", api_key=KEY, model_kwargs={"user": "u"}),
        ChatYEScaleGemini(model="gemini-2.5-flash", api_key=KEY, temperature=0.1, top_k=3),
    ],
    ids=["chat", "reasoning", "gemini"],
)
@pytest.mark.parametrize(
    ("stop", "kwargs"), [(None, {}), (["\n"], {"temperature": 0.9, "tools": [{"type": "x"}]})]
)
def test_invocation_params_equal_base_chat_models(
    llm: BaseChatModel, stop: list[str] | None, kwargs: dict[str, Any]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the base path goes through the deprecated dict()
        expected = BaseChatModel._get_invocation_params(llm, stop=stop, **kwargs)
    with warnings_as_errors():  # ours does not
        ours = llm._get_invocation_params(stop=stop, **kwargs)
    assert ours == expected
    assert list(ours) == list(expected)


# -- LangChain llm_output of a single result ------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (
            {
                "model_name": "gpt-4o-mini-2024-07-18",
                "system_fingerprint": "fp_1",
                "token_usage": {
                    "prompt_tokens": 3,
                    "completion_tokens": 2,
                    "total_tokens": 5,
                    "completion_tokens_details": {"reasoning_tokens": 1, "audio_tokens": None},
                    "cached": True,
                    "note": "x",
                    "empty": {},
                    "gone": None,
                },
            },
            {
                "token_usage": {
                    "prompt_tokens": 3,
                    "completion_tokens": 2,
                    "total_tokens": 5,
                    "completion_tokens_details": {"reasoning_tokens": 1},
                    "cached": True,
                    "note": "x",
                    "empty": {},
                },
                "model_name": "gpt-4o-mini-2024-07-18",
                "system_fingerprint": "fp_1",
            },
        ),
        (
            {"token_usage": {"prompt_tokens": 4}},
            {"token_usage": {"prompt_tokens": 4}, "model_name": "gpt-4o-mini"},
        ),
        (
            {"model_name": "", "system_fingerprint": None},
            {"token_usage": {}, "model_name": "gpt-4o-mini"},
        ),
        ({"model_name": "m"}, {"token_usage": {}, "model_name": "m"}),
    ],
)
def test_single_llm_output(output: dict[str, Any], expected: dict[str, Any]) -> None:
    """One prompt's ``llm_output``: ``None`` counts dropped, the class's model as a fallback."""
    llm = ChatYEScale(model="gpt-4o-mini", api_key=KEY)
    single = llm._combine_llm_outputs([output])
    assert single == expected
    assert list(single) == list(expected)
    usage = output.get("token_usage")
    if usage:
        assert single["token_usage"] is not usage  # a copy: the result's own dict is not shared
