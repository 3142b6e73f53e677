"""langchain-tests' standard suites for ``YEScaleEmbeddings``.

``EmbeddingsIntegrationTests`` has no VCR switch (unlike the chat-model suite), so its class is
marked ``pytest.mark.vcr`` here: our ``tests/conftest.py`` fixtures (secret filters, body
matching, no playback repeats) then replay it from ``cassettes/standard/test_embeddings_standard``.

Re-record: ``YESCALE_SYNTHESIZE=1 pytest tests/standard/test_embeddings_standard.py
--record-mode=rewrite`` (offline synthesizer) or with a real key and no ``YESCALE_SYNTHESIZE``.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from langchain_yescale import YEScaleEmbeddings


class TestYEScaleEmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[YEScaleEmbeddings]:
        return YEScaleEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "text-embedding-3-small", "api_key": "test-api-key"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"YESCALE_API_KEY": "env-test-key", "YESCALE_BASE_URL": "https://api.yescale.vip"},
            {"model": "text-embedding-3-large", "dimensions": 256},
            {
                "api_key": "env-test-key",
                "base_url": "https://api.yescale.vip",
                "model": "text-embedding-3-large",
                "dimensions": 256,
            },
        )


@pytest.mark.vcr
class TestYEScaleEmbeddingsIntegration(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[YEScaleEmbeddings]:
        return YEScaleEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        # Short vectors keep the cassettes small; the answers still come base64-encoded.
        return {"model": "text-embedding-3-small", "dimensions": 256}


@pytest.mark.vcr
class TestYEScaleGeminiEmbeddingsIntegration(EmbeddingsIntegrationTests):
    """The same suite on Gemini's native ``batchEmbedContents`` (chosen for a Gemini embedding
    model): documents with ``RETRIEVAL_DOCUMENT``, queries with ``RETRIEVAL_QUERY``."""

    @property
    def embeddings_class(self) -> type[YEScaleEmbeddings]:
        return YEScaleEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "gemini-embedding-001", "dimensions": 256}
