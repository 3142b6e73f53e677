"""The shared logic behind the LangChain tools and the LlamaIndex tool spec.

Each capability is implemented once here; ``langchain_yescale.tools`` and
``llama_index_yescale.tools`` only adapt arguments, progress reporting and results:

* :class:`ImageGenerator`: image generation and editing with per-model parameter checks
  (:mod:`yescale.models.images`), input images from URL / allowed path / bytes / base64, results
  saved to ``output_dir`` or kept in memory; nano-banana through Gemini's native
  ``generateContent`` (:mod:`.gemini_images`);
* :class:`MediaTaskRunner`: YEScale Media tasks (submit, poll with progress, resume, download);
* :class:`StructuredExtractor`: Gemini structured extraction validated against a schema;
* :class:`SpeechToText` / :class:`TextToSpeech`: recordings (allowed paths or URLs) to
  transcripts, texts to audio files in ``output_dir`` (:mod:`.audio`).
"""

from .audio import (
    DEFAULT_SPEECH_MODEL,
    DEFAULT_TRANSCRIPTION_MODEL,
    DEFAULT_TRANSLATION_MODEL,
    DEFAULT_VOICE,
    AudioInputError,
    AudioInputPolicy,
    SpeechToText,
    TextToSpeech,
    TranscriptFormat,
)
from .audio_results import SpeechResult, TranscriptResult
from .gemini_images import ImageNotGeneratedError
from .image_results import GeneratedImage, ImageResult
from .images import DEFAULT_IMAGE_MODEL, ImageGenerator, image_model_help
from .inputs import InputImage, InputImageError, InputPolicy, classify
from .media import (
    MEDIA_MODELS,
    STANDARD_CONFIG_KEYS,
    MediaOutcome,
    MediaProgress,
    MediaTaskRunner,
    build_config,
)
from .outputs import safe_name, save_bytes, stem_for
from .structured import (
    DEFAULT_STRUCTURED_MODEL,
    SchemaValidator,
    StructuredExtractor,
    StructuredOutputError,
    StructuredResult,
    aextract_structured,
    extract_structured,
    json_schema_to_type,
)

__all__ = [
    "DEFAULT_IMAGE_MODEL",
    "DEFAULT_SPEECH_MODEL",
    "DEFAULT_STRUCTURED_MODEL",
    "DEFAULT_TRANSCRIPTION_MODEL",
    "DEFAULT_TRANSLATION_MODEL",
    "DEFAULT_VOICE",
    "MEDIA_MODELS",
    "STANDARD_CONFIG_KEYS",
    "AudioInputError",
    "AudioInputPolicy",
    "GeneratedImage",
    "ImageGenerator",
    "ImageNotGeneratedError",
    "ImageResult",
    "InputImage",
    "InputImageError",
    "InputPolicy",
    "MediaOutcome",
    "MediaProgress",
    "MediaTaskRunner",
    "SchemaValidator",
    "SpeechResult",
    "SpeechToText",
    "StructuredExtractor",
    "StructuredOutputError",
    "StructuredResult",
    "TextToSpeech",
    "TranscriptFormat",
    "TranscriptResult",
    "aextract_structured",
    "build_config",
    "classify",
    "extract_structured",
    "image_model_help",
    "json_schema_to_type",
    "safe_name",
    "save_bytes",
    "stem_for",
]
