"""ChatYEScaleGemini end to end over replayed cassettes
(``cassettes/integration/test_langchain_gemini/``).

Requests go to Gemini's native ``/v1beta/models/{model}:generateContent`` (and
``:streamGenerateContent?alt=sse``); what the class sends is asserted on the recorded bodies.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import pytest
from langchain_core.exceptions import ModelAuthenticationError, ModelInvalidRequestError
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.tools import tool
from pydantic import BaseModel, Field, RootModel
from typing_extensions import TypedDict
from vcr.cassette import Cassette

import yescale
from langchain_yescale import ChatYEScaleGemini

# the same sample inputs as ChatYEScale's tests (the recorded bodies hold them)
from .test_langchain_chat import IMAGE_URL, LONG_SYSTEM, PIXEL_PNG, aggregate

pytestmark = pytest.mark.vcr


def requests(cassette: Cassette) -> list[tuple[str, dict[str, Any]]]:
    """``(method, body)`` of each recorded Gemini request: method is the path's ``:verb``."""
    out = []
    for request in cassette.requests:
        if request.method == "POST" and request.path.startswith("/v1beta/models/"):
            out.append((request.path.rsplit("/", 1)[-1], json.loads(request.body)))
    return out


def bodies(cassette: Cassette) -> list[dict[str, Any]]:
    return [body for _, body in requests(cassette)]


@tool
def get_weather(location: str) -> str:
    """Get the current weather in a given location."""
    return f"Sunny, 31 degrees C in {location}."


class GetWeather(BaseModel):
    """Get the current weather in a given location."""

    location: str = Field(..., description="The city, e.g. Hanoi")


class Joke(BaseModel):
    """Joke to tell user."""

    setup: str = Field(description="question to set up a joke")
    punchline: str = Field(description="answer to resolve the joke")


class JokeDict(TypedDict):
    """Joke to tell user."""

    setup: Annotated[str, ..., "question to set up a joke"]
    punchline: Annotated[str, ..., "answer to resolve the joke"]


class Address(BaseModel):
    city: str
    country: str


class Person(BaseModel):
    """A person."""

    name: str
    age: int
    nickname: str | None = None
    role: Literal["admin", "user"]
    address: Address


JOKE = {
    "setup": "Why was the cat sitting on the computer?",
    "punchline": "To keep an eye on the mouse!",
}


# -- basics -------------------------------------------------------------------------------------


def test_invoke_usage_and_metadata(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(model="gemini-2.5-flash", temperature=0)
    msg = llm.invoke("Hello")
    assert msg.content == "Hello! How can I help you today?"
    meta = msg.response_metadata
    assert meta["model_name"] == "gemini-2.5-flash"
    assert meta["finish_reason"] == "stop"
    assert meta["gemini_finish_reason"] == "STOP"
    assert meta["model_provider"] == "yescale"
    assert meta["id"] == msg.id
    usage = msg.usage_metadata
    assert usage is not None
    # Gemini 2.5 Flash thinks by default: thoughtsTokenCount counts as reasoning output tokens
    reasoning = usage["output_token_details"]["reasoning"]
    assert reasoning > 0
    assert usage["output_tokens"] > reasoning
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    ((verb, body),) = requests(vcr)
    assert verb == "gemini-2.5-flash:generateContent"
    assert body == {
        "contents": [{"role": "user", "parts": [{"text": "Hello"}]}],
        "generationConfig": {"temperature": 0.0},
    }


def test_system_instruction(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini()
    msg = llm.invoke([SystemMessage("Always answer in French."), HumanMessage("Hello")])
    assert msg.content == "Bonjour ! Comment puis-je vous aider aujourd'hui ?"
    (body,) = bodies(vcr)
    assert body["systemInstruction"] == {"parts": [{"text": "Always answer in French."}]}
    assert [c["role"] for c in body["contents"]] == ["user"]


def test_multi_turn(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini()
    history: list[BaseMessage] = [HumanMessage("Hi! My name is Linh.")]
    history.append(llm.invoke(history))
    history.append(HumanMessage("What is my name?"))
    answer = llm.invoke(history)
    assert answer.content == "Your name is Linh."
    contents = bodies(vcr)[1]["contents"]
    assert [c["role"] for c in contents] == ["user", "model", "user"]
    assert contents[1]["parts"] == [{"text": history[1].content}]


async def test_ainvoke_and_abatch(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(thinking_budget=0)
    msg = await llm.ainvoke("What is the capital of France?")
    assert msg.content == "The capital of France is Paris."
    answers = await llm.abatch(["What is the capital of Vietnam?", "What is 17 * 23?"])
    assert [a.content for a in answers] == ["The capital of Vietnam is Hanoi.", "17 * 23 = 391."]


def test_batch(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(thinking_budget=0)
    answers = llm.batch(["What is the capital of France?", "How are you?"])
    assert answers[0].content == "The capital of France is Paris."
    assert len(bodies(vcr)) == 2


def test_stream(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini()
    chunks = list(llm.stream("Write a story about a cat."))
    assert len(chunks) > 2
    full = aggregate(chunks)
    assert full.text.startswith("Once upon a time")
    assert full.response_metadata["model_name"] == "gemini-2.5-flash"
    assert full.response_metadata["finish_reason"] == "stop"
    assert full.usage_metadata is not None
    # Gemini repeats the running usage on every chunk: it is counted once
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    assert full.usage_metadata["output_token_details"]["reasoning"] > 0
    ((verb, _),) = requests(vcr)
    assert verb == "gemini-2.5-flash:streamGenerateContent"
    assert vcr.requests[0].query == [("alt", "sse")]


async def test_astream(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(thinking_budget=0)
    chunks = [c async for c in llm.astream("Write me 2 haikus. Only include the haikus.")]
    full = aggregate(chunks)
    assert "heron" in full.text
    assert full.usage_metadata is not None
    assert "output_token_details" not in full.usage_metadata  # thinking off: no thoughts count


def test_streaming_true_invoke(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(streaming=True, thinking_budget=0)
    assert llm.invoke("Hello").content == "Hello! How can I help you today?"
    assert requests(vcr)[0][0].endswith(":streamGenerateContent")


# -- images, documents --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "block",
    [
        {"type": "image", "base64": PIXEL_PNG, "mime_type": "image/png"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PIXEL_PNG}"}},
        {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/png", "data": PIXEL_PNG},
        },
    ],
    ids=["standard-base64", "openai-base64", "anthropic-base64"],
)
def test_inline_image(vcr: Cassette, block: dict[str, Any]) -> None:
    llm = ChatYEScaleGemini(thinking_budget=0)
    msg = llm.invoke([HumanMessage([{"type": "text", "text": "Describe this image."}, block])])
    assert "blue square" in str(msg.content)
    parts = bodies(vcr)[0]["contents"][0]["parts"]
    assert parts[1] == {"inlineData": {"mimeType": "image/png", "data": PIXEL_PNG}}
    assert msg.usage_metadata is not None


@pytest.mark.parametrize(
    "block",
    [{"type": "image", "url": IMAGE_URL}, {"type": "image_url", "image_url": {"url": IMAGE_URL}}],
    ids=["standard-url", "openai-url"],
)
def test_image_url_is_fetched_and_sent_inline(vcr: Cassette, block: dict[str, Any]) -> None:
    llm = ChatYEScaleGemini(thinking_budget=0)
    msg = llm.invoke([HumanMessage([{"type": "text", "text": "Describe this image."}, block])])
    assert "blue square" in str(msg.content)
    fetch, call = vcr.requests
    assert fetch.method == "GET"
    assert fetch.uri == IMAGE_URL
    inline = json.loads(call.body)["contents"][0]["parts"][1]["inlineData"]
    assert inline["mimeType"] == "image/png"
    assert inline["data"].startswith("iVBORw0KGgo")  # the fetched PNG, base64


def test_image_in_tool_message(vcr: Cassette) -> None:
    @tool
    def random_image() -> str:
        """Return a random image."""
        return ""

    llm = ChatYEScaleGemini(thinking_budget=0).bind_tools([random_image])
    msg = llm.invoke(
        [
            HumanMessage("Get a random image using the tool and describe it."),
            AIMessage("", tool_calls=[{"id": "1", "name": "random_image", "args": {}}]),
            ToolMessage(
                [{"type": "image", "base64": PIXEL_PNG, "mime_type": "image/png"}],
                tool_call_id="1",
            ),
        ]
    )
    assert "blue square" in str(msg.content)
    contents = bodies(vcr)[0]["contents"]
    assert contents[1]["parts"] == [{"functionCall": {"name": "random_image", "args": {}}}]
    response_turn = contents[2]
    assert response_turn["role"] == "user"
    assert response_turn["parts"][0]["functionResponse"]["name"] == "random_image"
    assert {"inlineData": {"mimeType": "image/png", "data": PIXEL_PNG}} in response_turn["parts"]


# -- thinking -----------------------------------------------------------------------------------


def test_thinking_budget_zero_reference_exchange(vcr: Cassette) -> None:
    # The reference's own example (gemini-thinking.txt): thinking off, answer verbatim.
    llm = ChatYEScaleGemini(model="gemini-2.5-flash", thinking_budget=0)
    msg = llm.invoke("How does AI work?")
    assert str(msg.content).startswith("That's a fantastic question")
    assert msg.id == "GOG6aO3iCMuumtkPl8L8wAQ"
    assert msg.usage_metadata == {"input_tokens": 6, "output_tokens": 1353, "total_tokens": 1359}
    assert "reasoning_content" not in msg.additional_kwargs
    (body,) = bodies(vcr)
    assert body["generationConfig"] == {"thinkingConfig": {"thinkingBudget": 0}}


def test_thinking_dynamic_with_thoughts(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(thinking_budget=-1, include_thoughts=True)
    msg = llm.invoke("What is 17 * 23?")
    assert msg.content == "17 * 23 = 391."
    thoughts = msg.additional_kwargs["reasoning_content"]
    assert "17 * 23" in thoughts
    blocks = msg.content_blocks
    assert [b["type"] for b in blocks] == ["reasoning", "text"]
    assert blocks[0].get("reasoning") == thoughts
    assert msg.usage_metadata is not None
    assert msg.usage_metadata["output_token_details"]["reasoning"] > 0
    (body,) = bodies(vcr)
    assert body["generationConfig"]["thinkingConfig"] == {
        "thinkingBudget": -1,
        "includeThoughts": True,
    }


def test_thinking_budget_caps_thoughts(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(thinking_budget=64)
    msg = llm.invoke("What is 17 * 23?")
    assert msg.usage_metadata is not None
    assert msg.usage_metadata["output_token_details"]["reasoning"] == 64
    assert "reasoning_content" not in msg.additional_kwargs  # not asked for the thoughts


def test_stream_with_thoughts(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(thinking_budget=1024, include_thoughts=True)
    chunks = list(llm.stream("What is 17 * 23?"))
    first = chunks[0]
    assert first.additional_kwargs["reasoning_content"].startswith("**Calculating**")
    assert first.text == ""
    full = aggregate(chunks)
    assert full.text == "17 * 23 = 391."
    assert [b["type"] for b in full.content_blocks] == ["reasoning", "text"]
    assert full.usage_metadata is not None
    assert full.usage_metadata["output_token_details"]["reasoning"] > 0


def test_thinking_cannot_be_disabled_on_pro(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(model="gemini-2.5-pro", thinking_budget=0, max_retries=0)
    with pytest.raises(ModelInvalidRequestError, match="only works in thinking mode"):
        llm.invoke("Hello")


def test_cached_input_tokens(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(thinking_budget=0)
    messages = [SystemMessage(LONG_SYSTEM), HumanMessage("Hello")]
    first = llm.invoke(messages)
    second = llm.invoke(messages)
    assert first.usage_metadata is not None
    assert second.usage_metadata is not None
    assert "input_token_details" not in first.usage_metadata
    cached = second.usage_metadata["input_token_details"]["cache_read"]
    assert 1024 <= cached <= second.usage_metadata["input_tokens"]


# -- structured output --------------------------------------------------------------------------


def test_structured_output_response_schema(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(thinking_budget=0).with_structured_output(Person)
    person = llm.invoke("Make up a person who lives in Hanoi, Vietnam.")
    assert person == Person(
        name="Alice",
        age=30,
        nickname="Ally",
        role="admin",
        address=Address(city="Hanoi", country="Vietnam"),
    )
    config = bodies(vcr)[0]["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    # translated for Gemini: $ref inlined, Optional as nullable, enum, field order kept
    assert config["responseSchema"] == {
        "description": "A person.",
        "type": "OBJECT",
        "properties": {
            "name": {"type": "STRING"},
            "age": {"type": "INTEGER"},
            "nickname": {"type": "STRING", "nullable": True},
            "role": {"type": "STRING", "enum": ["admin", "user"], "format": "enum"},
            "address": {
                "type": "OBJECT",
                "properties": {"city": {"type": "STRING"}, "country": {"type": "STRING"}},
                "propertyOrdering": ["city", "country"],
                "required": ["city", "country"],
            },
        },
        "propertyOrdering": ["name", "age", "nickname", "role", "address"],
        "required": ["name", "age", "role", "address"],
    }


class Recipe(BaseModel):
    recipeName: str
    ingredients: list[str]


class Recipes(RootModel[list[Recipe]]):
    pass


def test_structured_output_reference_exchange(vcr: Cassette) -> None:
    # The reference's own example (gemini-structured-output.txt): an ARRAY of OBJECTs with
    # propertyOrdering, answered verbatim.
    llm = ChatYEScaleGemini(model="gemini-2.5-flash").with_structured_output(
        Recipes, include_raw=True
    )
    out = llm.invoke("List a few popular cookie recipes, and include the amounts of ingredients.")
    assert isinstance(out, dict)
    recipes = out["parsed"].root
    assert [r.recipeName for r in recipes] == [
        "Classic Chocolate Chip Cookies",
        "Hearty Oatmeal Raisin Cookies",
        "Classic Peanut Butter Cookies",
    ]
    assert "2 large eggs" in recipes[0].ingredients
    assert out["raw"].usage_metadata == {
        "input_tokens": 15,
        "output_tokens": 390 + 565,
        "total_tokens": 970,
        "output_token_details": {"reasoning": 565},
    }
    schema = bodies(vcr)[0]["generationConfig"]["responseSchema"]
    assert schema == {
        "type": "ARRAY",
        "items": {
            "type": "OBJECT",
            "properties": {
                "recipeName": {"type": "STRING"},
                "ingredients": {"type": "ARRAY", "items": {"type": "STRING"}},
            },
            "propertyOrdering": ["recipeName", "ingredients"],
            "required": ["recipeName", "ingredients"],
        },
    }


@pytest.mark.parametrize("kind", ["pydantic", "typeddict", "json_schema"])
@pytest.mark.parametrize(
    "method", ["json_schema", "response_json_schema", "function_calling", "json_mode"]
)
def test_structured_output_methods(vcr: Cassette, method: str, kind: str) -> None:
    schema: Any = {
        "pydantic": Joke,
        "typeddict": JokeDict,
        "json_schema": Joke.model_json_schema(),
    }[kind]
    llm = ChatYEScaleGemini(thinking_budget=0).with_structured_output(schema, method=method)  # type: ignore[arg-type]
    prompt = "Tell me a joke about cats."
    if method == "json_mode":
        prompt += " Return JSON with 'setup' and 'punchline' keys."
    result = llm.invoke(prompt)
    assert (result.model_dump() if isinstance(result, BaseModel) else result) == JOKE
    body = bodies(vcr)[0]
    config = body.get("generationConfig", {})
    if method == "json_schema":
        assert config["responseMimeType"] == "application/json"
        assert config["responseSchema"]["propertyOrdering"] == ["setup", "punchline"]
    elif method == "response_json_schema":
        assert config["responseMimeType"] == "application/json"
        assert config["responseJsonSchema"]["properties"]["setup"]["type"] == "string"
        assert "responseSchema" not in config
    elif method == "function_calling":
        (declaration,) = body["tools"][0]["functionDeclarations"]
        assert body["toolConfig"] == {
            "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [declaration["name"]]}
        }
        assert "responseMimeType" not in config
    else:
        assert config == {
            "responseMimeType": "application/json",
            "thinkingConfig": {"thinkingBudget": 0},
        }


def test_structured_output_stream(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(thinking_budget=0).with_structured_output(JokeDict)
    chunks = list(llm.stream("Tell me a joke about cats."))
    assert chunks[-1] == JOKE


def test_recursive_schema_needs_response_json_schema(vcr: Cassette) -> None:
    class Node(BaseModel):
        """A tree node."""

        name: str
        children: list[Node] = Field(default_factory=list)

    llm = ChatYEScaleGemini(thinking_budget=0)
    with pytest.raises(yescale.InvalidRequestError, match="recursive") as info:
        llm.with_structured_output(Node)
    assert "response_json_schema" in str(info.value)
    tree = llm.with_structured_output(Node, method="response_json_schema").invoke(
        "Make up a small tree about cats."
    )
    assert isinstance(tree, Node)
    schema = bodies(vcr)[0]["generationConfig"]["responseJsonSchema"]
    assert schema["$defs"]["Node"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}


def test_free_form_dict_is_refused() -> None:
    class Settings(BaseModel):
        values: dict[str, Any]

    llm = ChatYEScaleGemini(api_key="unused")
    with pytest.raises(yescale.InvalidRequestError, match="free-form"):
        llm.with_structured_output(Settings)


# -- tools --------------------------------------------------------------------------------------


def test_function_calling_round_trip_with_thought_signature(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini().bind_tools([get_weather])
    question = HumanMessage("What is the weather in Hanoi?")
    call = llm.invoke([question])
    (tool_call,) = call.tool_calls
    assert tool_call["name"] == "get_weather"
    assert tool_call["args"] == {"location": "Hanoi"}
    assert call.response_metadata["finish_reason"] == "tool_calls"
    signature = call.additional_kwargs["tool_calls"][0]["extra_content"]["google"][
        "thought_signature"
    ]
    result = get_weather.invoke(tool_call)
    answer = llm.invoke([question, call, result])
    assert answer.content == "The weather in Hanoi: Sunny, 31 degrees C in Hanoi."

    first, second = bodies(vcr)
    assert first["tools"] == [
        {
            "functionDeclarations": [
                {
                    "name": "get_weather",
                    "description": "Get the current weather in a given location.",
                    "parameters": {
                        "type": "OBJECT",
                        "properties": {"location": {"type": "STRING"}},
                        "propertyOrdering": ["location"],
                        "required": ["location"],
                    },
                }
            ]
        }
    ]
    model_turn, response_turn = second["contents"][1], second["contents"][2]
    assert model_turn == {
        "role": "model",
        "parts": [
            {
                "functionCall": {"name": "get_weather", "args": {"location": "Hanoi"}},
                "thoughtSignature": signature,
            }
        ],
    }
    assert response_turn == {
        "role": "user",
        "parts": [
            {
                "functionResponse": {
                    "name": "get_weather",
                    "response": {"result": "Sunny, 31 degrees C in Hanoi."},
                }
            }
        ],
    }


def test_gemini_3_needs_the_signature_back(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(model="gemini-3-pro-preview", max_retries=0).bind_tools([get_weather])
    question = HumanMessage("What is the weather in Hanoi?")
    call = aggregate(list(llm.stream([question])))
    answer = llm.invoke([question, call, get_weather.invoke(call.tool_calls[0])])
    assert "Sunny" in str(answer.content)
    # the same call rebuilt without its signature is refused by Gemini 3
    bare = AIMessage("", tool_calls=call.tool_calls)
    with pytest.raises(ModelInvalidRequestError, match="thought_signature"):
        llm.invoke([question, bare, get_weather.invoke(call.tool_calls[0])])


@pytest.mark.parametrize(
    ("tool_choice", "config"),
    [
        ("auto", {"mode": "AUTO"}),
        ("none", {"mode": "NONE"}),
        ("any", {"mode": "ANY"}),
        ("required", {"mode": "ANY"}),
        ("GetWeather", {"mode": "ANY", "allowedFunctionNames": ["GetWeather"]}),
    ],
)
def test_tool_choice(vcr: Cassette, tool_choice: str, config: dict[str, Any]) -> None:
    llm = ChatYEScaleGemini(thinking_budget=0).bind_tools(
        [GetWeather, get_weather], tool_choice=tool_choice
    )
    msg = llm.invoke("What is the weather in Hanoi?")
    assert bodies(vcr)[0]["toolConfig"] == {"functionCallingConfig": config}
    if tool_choice == "none":
        assert msg.tool_calls == []
    else:
        assert msg.tool_calls[0]["args"] == {"location": "Hanoi"}
        if tool_choice == "GetWeather":
            assert msg.tool_calls[0]["name"] == "GetWeather"


def test_parallel_function_calls_streamed(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(thinking_budget=0).bind_tools([GetWeather], parallel_tool_calls=True)
    full = aggregate(list(llm.stream("What is the weather in Hanoi and in Paris?")))
    assert [c["args"]["location"] for c in full.tool_calls] == ["Hanoi", "Paris"]
    assert len({c["id"] for c in full.tool_calls}) == 2
    assert "parallel_tool_calls" not in bodies(vcr)[0]  # not a Gemini field


def test_google_search_grounding(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(google_search=True)
    msg = llm.invoke("Who won Euro 2024?")
    assert "Spain" in str(msg.content)
    grounding = msg.response_metadata["grounding_metadata"]
    assert grounding["webSearchQueries"] == ["who won euro 2024"]
    assert grounding["groundingChunks"][0]["web"]["uri"].startswith("https://")
    assert grounding["groundingSupports"][0]["groundingChunkIndices"] == [0, 1]
    assert bodies(vcr)[0]["tools"] == [{"googleSearch": {}}]


def test_google_search_with_functions_streamed(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(google_search=True, thinking_budget=0).bind_tools([get_weather])
    full = aggregate(list(llm.stream("Who won Euro 2024?")))
    assert "grounding_metadata" in full.response_metadata
    tools = bodies(vcr)[0]["tools"]
    assert tools[0]["functionDeclarations"][0]["name"] == "get_weather"
    assert tools[1] == {"googleSearch": {}}


def test_url_context(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(url_context=True, thinking_budget=0)
    msg = llm.invoke("Summarize https://example.com in one sentence.")
    assert "Example Domain" in str(msg.content)
    (entry,) = msg.response_metadata["url_context_metadata"]["urlMetadata"]
    assert entry == {
        "retrievedUrl": "https://example.com",
        "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_SUCCESS",
    }
    assert bodies(vcr)[0]["tools"] == [{"urlContext": {}}]


# -- parameters -----------------------------------------------------------------------------------


def test_safety_settings(vcr: Cassette) -> None:
    settings = [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_LOW_AND_ABOVE"}]
    llm = ChatYEScaleGemini(safety_settings=settings, thinking_budget=0)
    msg = llm.invoke("Write an insult about my neighbour.")
    assert msg.content == ""
    assert msg.response_metadata["finish_reason"] == "content_filter"
    assert msg.response_metadata["gemini_finish_reason"] == "SAFETY"
    ratings = msg.response_metadata["safety_ratings"]
    assert {"category": "HARM_CATEGORY_HARASSMENT", "probability": "MEDIUM", "blocked": True} in (
        ratings
    )
    assert bodies(vcr)[0]["safetySettings"] == settings


def test_generation_config_pass_through_and_candidates(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(
        thinking_budget=0,
        top_k=20,
        top_p=0.9,
        seed=7,
        n=2,
        generation_config={"mediaResolution": "MEDIA_RESOLUTION_LOW", "temperature": 0.5},
    )
    result = llm.generate([[HumanMessage("Hello")]])
    texts = [g.text for g in result.generations[0]]
    assert len(texts) == 2
    assert texts[0] != texts[1]
    assert bodies(vcr)[0]["generationConfig"] == {
        "mediaResolution": "MEDIA_RESOLUTION_LOW",
        "temperature": 0.5,
        "topP": 0.9,
        "topK": 20,
        "candidateCount": 2,
        "seed": 7,
        "thinkingConfig": {"thinkingBudget": 0},
    }


def test_stop_and_max_tokens(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(thinking_budget=0, stop=["5"])
    assert llm.invoke("Count from 1 to 10").content == "1, 2, 3, 4, "
    short = llm.invoke("Write a story about a cat.", max_tokens=5, stop=None)
    assert short.response_metadata["finish_reason"] == "length"
    assert short.response_metadata["gemini_finish_reason"] == "MAX_TOKENS"
    first, second = (b["generationConfig"] for b in bodies(vcr))
    assert first["stopSequences"] == ["5"]
    assert second["maxOutputTokens"] == 5


def test_per_call_overrides(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(temperature=0, thinking_budget=0)
    msg = llm.invoke(
        "Hello", model="gemini-2.5-flash-lite", temperature=0.8, generation_config={"topK": 5}
    )
    assert msg.response_metadata["model_name"] == "gemini-2.5-flash-lite"
    ((verb, body),) = requests(vcr)
    assert verb == "gemini-2.5-flash-lite:generateContent"
    assert body["generationConfig"] == {
        "topK": 5,
        "temperature": 0.8,
        "thinkingConfig": {"thinkingBudget": 0},
    }


# -- errors, LangSmith, agents ---------------------------------------------------------------------


def test_bad_key_is_authentication_error(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(api_key="sk-invalid-key-for-tests-0000")
    with pytest.raises(ModelAuthenticationError) as info:
        llm.invoke("Hello")
    assert isinstance(info.value, yescale.AuthenticationError)
    assert "sk-invalid-key-for-tests-0000" not in str(info.value)


def test_get_ls_params() -> None:
    llm = ChatYEScaleGemini(temperature=0.1, max_tokens=256, api_key="x")
    assert llm._get_ls_params() == {
        "ls_provider": "yescale",
        "ls_model_name": "gemini-2.5-flash",
        "ls_model_type": "chat",
        "ls_temperature": 0.1,
        "ls_max_tokens": 256,
    }
    assert llm._llm_type == "yescale-gemini"


def test_agent_loop_create_agent(vcr: Cassette) -> None:
    from langchain.agents import create_agent

    agent = create_agent(ChatYEScaleGemini(model="gemini-2.5-flash"), tools=[get_weather])
    state = agent.invoke({"messages": [HumanMessage("What is the weather in Hanoi?")]})
    messages = state["messages"]
    assert [type(m).__name__ for m in messages] == [
        "HumanMessage",
        "AIMessage",
        "ToolMessage",
        "AIMessage",
    ]
    assert messages[-1].content == "The weather in Hanoi: Sunny, 31 degrees C in Hanoi."
    second = bodies(vcr)[1]
    assert "thoughtSignature" in second["contents"][1]["parts"][0]
    assert second["contents"][2]["parts"][0]["functionResponse"]["name"] == "get_weather"
