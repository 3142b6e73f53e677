"""langchain-tests' standard suites for the LangChain tools (images, media, structured output,
speech to text, text to speech).

The integration suites make real calls, replayed from ``cassettes/standard/test_tools_standard``;
the media tool polls with an injected no-op sleep, so replay is instant.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.tools import BaseTool
from langchain_tests.integration_tests import ToolsIntegrationTests
from langchain_tests.unit_tests import ToolsUnitTests
from pydantic import BaseModel

from langchain_yescale import (
    YEScaleGeminiStructuredOutputTool,
    YEScaleImageGenerationTool,
    YEScaleMediaTaskTool,
    YEScaleSpeechToTextTool,
    YEScaleTextToSpeechTool,
)
from tests.security.conftest import recordings_dir

ENV = {"YESCALE_API_KEY": "env-test-key"}


def _no_sleep(seconds: float) -> None:
    return None


async def _no_async_sleep(seconds: float) -> None:
    return None


class Person(BaseModel):
    """A person mentioned in the text."""

    name: str
    age: int


# -- image generation -----------------------------------------------------------------------------


class _ImageTool:
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return YEScaleImageGenerationTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"model": "gpt-image-1"}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"prompt": "A red fox in the snow", "size": "1024x1024", "quality": "low"}


class TestImageToolUnit(_ImageTool, ToolsUnitTests):
    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return ENV, {}, {"api_key": "env-test-key"}


@pytest.mark.vcr
class TestImageToolIntegration(_ImageTool, ToolsIntegrationTests):
    pass


# -- media tasks ----------------------------------------------------------------------------------


class _MediaTool:
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return YEScaleMediaTaskTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"sleep": _no_sleep, "async_sleep": _no_async_sleep, "poll_interval": 1}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"model": "sora-2", "prompt": "A paper boat on a rainy street", "duration": 4}


class TestMediaToolUnit(_MediaTool, ToolsUnitTests):
    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return ENV, {"task_timeout": 60}, {"api_key": "env-test-key", "task_timeout": 60}


@pytest.mark.vcr
class TestMediaToolIntegration(_MediaTool, ToolsIntegrationTests):
    pass


# -- Gemini structured output ---------------------------------------------------------------------


class _StructuredTool:
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return YEScaleGeminiStructuredOutputTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"schema": Person, "model": "gemini-2.5-flash", "thinking_budget": 0}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"text": "Ada Lovelace was 36.", "instructions": "Ages in years."}


class TestStructuredToolUnit(_StructuredTool, ToolsUnitTests):
    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return ENV, {"schema": Person}, {"api_key": "env-test-key", "model": "gemini-2.5-flash"}


@pytest.mark.vcr
class TestStructuredToolIntegration(_StructuredTool, ToolsIntegrationTests):
    pass


# -- speech to text -------------------------------------------------------------------------------

#: A folder holding ``hello.wav`` (the same silent WAV every run: the cassettes match it).
RECORDINGS = recordings_dir()


class _SpeechToTextTool:
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return YEScaleSpeechToTextTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"allowed_input_dirs": [RECORDINGS]}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"file": "hello.wav", "language": "en"}


class TestSpeechToTextToolUnit(_SpeechToTextTool, ToolsUnitTests):
    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return ENV, {"model": "whisper-1"}, {"api_key": "env-test-key", "model": "whisper-1"}


@pytest.mark.vcr
class TestSpeechToTextToolIntegration(_SpeechToTextTool, ToolsIntegrationTests):
    pass


# -- text to speech -------------------------------------------------------------------------------


class _TextToSpeechTool:
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return YEScaleTextToSpeechTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"voice": "coral"}  # no output_dir: the bytes stay in the artifact

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"text": "The release moves to Thursday.", "speed": 1.0}


class TestTextToSpeechToolUnit(_TextToSpeechTool, ToolsUnitTests):
    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return ENV, {"model": "tts-1"}, {"api_key": "env-test-key", "model": "tts-1"}


@pytest.mark.vcr
class TestTextToSpeechToolIntegration(_TextToSpeechTool, ToolsIntegrationTests):
    pass
