"""Typed wire models of the YEScale API (pydantic v2, tolerant of added fields)."""

from .audio import (
    SpeechRequest,
    Transcription,
    TranscriptionSegment,
    TranscriptionUsage,
    TranscriptionWord,
    Translation,
)
from .chat import (
    ChatChoice,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    ChatMessage,
    ChoiceDelta,
    ChunkChoice,
    CompletionTokensDetails,
    FunctionCall,
    PromptTokensDetails,
    ToolCall,
    Usage,
)
from .embeddings import Embedding, EmbeddingRequest, EmbeddingResponse, EmbeddingUsage
from .gemini import (
    Candidate,
    Content,
    GenerateContentRequest,
    GenerateContentResponse,
    Part,
    PromptFeedback,
    UsageMetadata,
)
from .images import ImageData, ImageGenerateRequest, ImagesResponse, ImageUsage
from .media import MediaTask, MediaTaskRequest, TaskResult
from .message_events import MessageStreamEvent
from .messages import Message, MessagesRequest, MessageUsage
from .response_events import ResponseStreamEvent
from .responses import Response, ResponsesRequest, ResponseUsage
from .system import APIKeyInfo, LogEntry, ModelInfo, OkResponse, SystemTask, UserInfo

__all__ = [
    "APIKeyInfo",
    "Candidate",
    "ChatChoice",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionRequest",
    "ChatMessage",
    "ChoiceDelta",
    "ChunkChoice",
    "CompletionTokensDetails",
    "Content",
    "Embedding",
    "EmbeddingRequest",
    "EmbeddingResponse",
    "EmbeddingUsage",
    "FunctionCall",
    "GenerateContentRequest",
    "GenerateContentResponse",
    "ImageData",
    "ImageGenerateRequest",
    "ImageUsage",
    "ImagesResponse",
    "LogEntry",
    "MediaTask",
    "MediaTaskRequest",
    "Message",
    "MessageStreamEvent",
    "MessageUsage",
    "MessagesRequest",
    "ModelInfo",
    "OkResponse",
    "Part",
    "PromptFeedback",
    "PromptTokensDetails",
    "Response",
    "ResponseStreamEvent",
    "ResponseUsage",
    "ResponsesRequest",
    "SpeechRequest",
    "SystemTask",
    "TaskResult",
    "ToolCall",
    "Transcription",
    "TranscriptionSegment",
    "TranscriptionUsage",
    "TranscriptionWord",
    "Translation",
    "Usage",
    "UsageMetadata",
    "UserInfo",
]
