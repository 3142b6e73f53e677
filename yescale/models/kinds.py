"""Which endpoint a model name belongs to, where the name says so for certain.

YEScale serves hundreds of models and new ones appear weekly, so these checks only refuse a
model on an endpoint it certainly cannot serve (an embedding model asked to chat, a chat model
asked to draw or to embed, a GPT model on Gemini's native endpoint); any name they do not know
passes, and the service decides. Each refusal says which endpoint or class to use instead.
"""

from __future__ import annotations

import functools
import re
from typing import Literal

from ..errors import InvalidRequestError
from .families import family
from .limits import base_name, model_limits

Kind = Literal["embedding", "image", "video", "audio", "chat", "unknown"]

_EMBEDDING = re.compile(r"embed", re.IGNORECASE)
#: Image-only models: they answer on /v1/images/* or as media tasks, never on chat.
_IMAGE = re.compile(r"^(gpt-image|dall-e|imagen|flux|seedream|recraft|ideogram|mj_)", re.IGNORECASE)
_VIDEO = re.compile(
    r"^(sora|veo[\d-]|kling|hailuo|seedance|runway|luma|pika|wan\d|minimax-video)", re.IGNORECASE
)
_AUDIO = re.compile(r"^(whisper|tts-|gpt-4o(-mini)?-(tts|transcribe))", re.IGNORECASE)
#: Families that Gemini's native ``generateContent`` endpoint does not serve.
_NOT_GEMINI = {"openai", "claude", "deepseek", "qwen", "xai", "moonshot", "zhipu"}
#: Embedding models Gemini's own API serves (``models/`` prefix allowed): ``gemini-embedding-001``,
#: the ``gemini-embedding-exp*`` previews, ``text-embedding-004`` and ``embedding-001``.
_GEMINI_EMBEDDING = re.compile(
    r"^(models/)?(gemini-embedding(-|$)|text-embedding-004$|embedding-001$)", re.IGNORECASE
)
_OPENAI_EMBEDDING = re.compile(r"^(models/)?text-embedding-(3-|ada)", re.IGNORECASE)


@functools.lru_cache(maxsize=1024)
def kind(model: str) -> Kind:
    """What ``model`` is, from its name: ``"unknown"`` unless the name is unambiguous."""
    name = base_name(model)
    if _EMBEDDING.search(name):
        return "embedding"
    if _AUDIO.match(name):
        return "audio"
    if _IMAGE.match(name):
        return "image"
    if _VIDEO.match(name):
        return "video"
    if model_limits(name).source == "known" and "image" not in name:
        return "chat"
    return "unknown"


def _refuse(model: str, what: str, use: str) -> InvalidRequestError:
    return InvalidRequestError(f"{model!r} is {what}. {use}")


_ARTICLE = {
    "embedding": "an embedding model",
    "image": "an image model",
    "video": "a video model",
    "audio": "an audio model",
    "chat": "a chat model",
}
_USE = {
    "embedding": "Embed with it (YEScaleEmbeddings / YEScaleEmbedding, client.embeddings).",
    "image": "Generate images with it (client.images, the image tools) or as a media task.",
    "video": "Run it as a media task (client.media, the media tools).",
    "audio": "Use it through client.audio (transcriptions, translations, speech).",
    "chat": "Chat with it (ChatYEScale / YEScale, client.chat).",
}


def check_chat_model(model: str) -> None:
    """Refuse models that certainly do not answer on ``/v1/chat/completions``."""
    found = kind(model)
    if found in ("embedding", "image", "video", "audio"):
        raise _refuse(model, f"{_ARTICLE[found]}, not a chat model", _USE[found])


def check_gemini_model(model: str) -> None:
    """Refuse models Gemini's native ``generateContent`` certainly does not serve."""
    name = base_name(model)
    found = kind(model)
    if found == "embedding":
        raise _refuse(model, "an embedding model", _USE["embedding"])
    if family(name) in _NOT_GEMINI:
        raise _refuse(
            model,
            "not a Gemini model",
            "Gemini's native endpoint (ChatYEScaleGemini, YEScaleGemini, client.gemini) serves "
            "Gemini models such as 'gemini-2.5-flash'; use ChatYEScale / YEScale (client.chat) "
            "for this one.",
        )


def is_gemini_embedding_model(model: str) -> bool:
    """Whether ``model`` is one of the embedding models of Gemini's own API (which the
    embeddings classes send to its native endpoint by default)."""
    return bool(_GEMINI_EMBEDDING.match(model.strip()))


def check_gemini_embedding_model(model: str) -> None:
    """Refuse models Gemini's native ``embedContent`` certainly does not serve: chat, image,
    video and audio models, OpenAI's embedding models, other vendors' models."""
    check_embedding_model(model)
    name = base_name(model)
    if _OPENAI_EMBEDDING.match(model.strip()) or family(name) in _NOT_GEMINI:
        raise _refuse(
            model,
            "not a Gemini embedding model",
            "Gemini's native endpoint serves models such as 'gemini-embedding-001'. Embed it "
            "over /v1/embeddings instead (client.embeddings, or api='openai' on "
            "YEScaleEmbeddings / YEScaleEmbedding).",
        )


def check_claude_model(model: str) -> None:
    """Refuse models Anthropic's Messages format (``/v1/messages``) certainly does not serve: a
    model of another known family (GPT, Gemini, ...) or not a chat model. Unknown names pass."""
    found = kind(model)
    if found in ("embedding", "image", "video", "audio"):
        raise _refuse(model, f"{_ARTICLE[found]}, not a Claude model", _USE[found])
    fam = family(base_name(model))
    if fam not in ("claude", "other"):
        raise _refuse(
            model,
            f"not a Claude model (family {fam!r})",
            "Anthropic's Messages format (client.messages) serves Claude models such as "
            "'claude-sonnet-4-5'; use client.chat (ChatYEScale / YEScale) for this one.",
        )


def check_embedding_model(model: str) -> None:
    """Refuse chat, image and video models as embedding models."""
    found = kind(model)
    if found in ("chat", "image", "video", "audio"):
        raise _refuse(
            model,
            f"{_ARTICLE[found]}, not an embedding model",
            "Use an embedding model such as 'text-embedding-3-small' or "
            "'gemini-embedding-001'. " + _USE[found],
        )


def check_image_model(model: str) -> None:
    """Refuse chat, embedding, video and audio models as image models."""
    found = kind(model)
    if found in ("chat", "embedding", "video", "audio"):
        raise _refuse(
            model,
            f"{_ARTICLE[found]}, not an image model",
            "Use an image model such as 'gpt-image-1', 'dall-e-3', 'imagen-4.0-generate-001', "
            "'flux-kontext-pro' or 'seedream-4-0'. " + _USE[found],
        )


#: The audio endpoints (``client.audio``): what each does, and the models that do it.
AudioEndpoint = Literal["transcription", "translation", "speech"]
_SPEECH = re.compile(r"^(tts-|gpt-4o(-mini)?-tts)", re.IGNORECASE)
_AUDIO_USE = {
    "transcription": "Transcribe with 'gpt-4o-mini-transcribe', 'gpt-4o-transcribe' or "
    "'whisper-1' (client.audio.transcriptions).",
    "translation": "Translate speech into English with 'whisper-1' (client.audio.translations).",
    "speech": "Make speech with 'gpt-4o-mini-tts', 'tts-1' or 'tts-1-hd' (client.audio.speech).",
}


def audio_role(model: str) -> Literal["speech", "transcription"] | None:
    """What an audio model does, from its name: ``"speech"`` (text to speech: ``tts-1``,
    ``gpt-4o-mini-tts``), ``"transcription"`` (speech to text: ``whisper-1``,
    ``gpt-4o-transcribe``), or ``None`` for a model that is not certainly an audio model."""
    if kind(model) != "audio":
        return None
    return "speech" if _SPEECH.match(base_name(model)) else "transcription"


def check_audio_model(model: str, endpoint: AudioEndpoint) -> None:
    """Refuse models an audio endpoint certainly does not serve: chat, embedding, image and
    video models, a text-to-speech model asked to transcribe or translate, a speech-to-text
    model asked to speak. Unknown names pass."""
    found = kind(model)
    if found in ("chat", "embedding", "image", "video"):
        raise _refuse(
            model, f"{_ARTICLE[found]}, not an audio model", f"{_AUDIO_USE[endpoint]} {_USE[found]}"
        )
    role = audio_role(model)
    if role == "speech" and endpoint != "speech":
        raise _refuse(
            model,
            "a text-to-speech model: it makes audio from text (client.audio.speech), it does not "
            f"do {endpoint}s",
            _AUDIO_USE[endpoint],
        )
    if role == "transcription" and endpoint == "speech":
        raise _refuse(
            model,
            "a speech-to-text model: it turns audio into text (client.audio.transcriptions), it "
            "does not speak",
            _AUDIO_USE["speech"],
        )


def check_media_model(model: str) -> None:
    """Refuse chat, embedding and audio models as media-task models."""
    found = kind(model)
    if found in ("chat", "embedding", "audio"):
        raise _refuse(
            model,
            f"{_ARTICLE[found]}, not a media model",
            "Media tasks take models such as 'sora-2', 'veo3.1', 'kling-2.5-turbo', "
            "'hailuo-2.3', 'gpt-image' or 'nano-banana'. " + _USE[found],
        )


__all__ = [
    "AudioEndpoint",
    "Kind",
    "audio_role",
    "check_audio_model",
    "check_chat_model",
    "check_claude_model",
    "check_embedding_model",
    "check_gemini_embedding_model",
    "check_gemini_model",
    "check_image_model",
    "check_media_model",
    "is_gemini_embedding_model",
    "kind",
]
