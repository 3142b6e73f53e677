"""Search recordings by what was said: transcribe them with YEScaleAudioReader, index the
transcripts in a LlamaIndex VectorStoreIndex, ask a question, and speak the answer with the
LangChain text-to-speech tool.

python examples/transcription_rag.py            # offline: replays recorded answers
YESCALE_API_KEY=... python examples/transcription_rag.py   # live

Offline, the recordings are two short silent WAV files made here (the replayed answers say what
they "contain"); live, put your own recordings in RECORDINGS (flac, m4a, mp3, mp4, mpeg, mpga,
oga, ogg, wav or webm; at most 25 MB each). Retrieval needs no LLM: the best transcript is the
answer, spoken into an mp3 in the output folder (the tool returns its path, never audio bytes).
"""

from __future__ import annotations

import io
import sys
import tempfile
import wave
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _offline

with _offline.exit_if_missing(__name__):  # run as a script: one line naming what to install
    from llama_index.core import VectorStoreIndex

    from langchain_yescale import YEScaleTextToSpeechTool
    from llama_index_yescale import YEScaleAudioReader, YEScaleEmbedding

#: Your recordings (live runs); offline, two silent WAVs stand in for them.
RECORDINGS: list[Path] = []
QUESTION = "When does the release move?"


def silent_wav(frames: int) -> bytes:
    """A valid mono 16-bit WAV of ``frames`` silent samples at 8 kHz."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * frames)
    return buffer.getvalue()


def stand_in_recordings(folder: Path) -> list[Path]:
    """Two recordings for the offline run (the replayed transcripts are what they "say")."""
    files = []
    for name, frames in (("standup.wav", 1600), ("garden.wav", 2400)):
        path = folder / name
        path.write_bytes(silent_wav(frames))
        files.append(path)
    return files


def run(workdir: Path | None = None) -> dict[str, Any]:
    """The demo itself; returns what it found so the test suite can check it."""
    folder = Path(workdir or tempfile.mkdtemp(prefix="yescale-transcription-rag-"))
    files = RECORDINGS or stand_in_recordings(folder)

    print(f"Transcribing {len(files)} recordings with YEScaleAudioReader")
    documents = YEScaleAudioReader(model="gpt-4o-mini-transcribe").load_data(files)
    for document in documents:
        print(f"  {document.metadata['file_name']}: {document.text}")

    embed_model = YEScaleEmbedding(model_name="text-embedding-3-small", dimensions=256)
    index = VectorStoreIndex.from_documents(documents, embed_model=embed_model)
    (best,) = index.as_retriever(similarity_top_k=1).retrieve(QUESTION)
    found = best.node.get_content()
    print(f"\n{QUESTION}\n  -> {found}  ({best.node.metadata['file_name']})")

    speaker = YEScaleTextToSpeechTool(voice="coral", output_dir=folder / "answers")
    message = speaker.invoke(
        {"type": "tool_call", "id": "answer", "name": speaker.name, "args": {"text": found}}
    )
    print(f"\n{message.content}")
    return {
        "documents": documents,
        "answer": found,
        "answer_file": best.node.metadata["file_name"],
        "spoken": message,
    }


if __name__ == "__main__":
    # This example's recordings are its test's: cassettes/integration/test_examples/.
    with _offline.live_or_replay("transcription_rag"):
        run()
