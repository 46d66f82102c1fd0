"""The learned model's column-wise features and its shipped word vectors."""

from __future__ import annotations

import io

import numpy as np
import pytest

from engage_desktop.core.errors import WorkspaceError
from engage_desktop.enrich.learned.features import build_vocabulary, encode_terms, tokenize
from engage_desktop.enrich.learned.model import LearnedModel, TrainSettings, fit
from engage_desktop.enrich.learned.word_vectors import TABLE, shipped_vectors
from engage_desktop.resources import resource

NEUTRAL = [0.0, 0.0, 1.0, 0.0]


def test_tokens_split_nt_and_marks_like_glove():
    tok = tokenize(["I don't LIKE it!!", None, "'quoted' rock'n'roll?"])
    assert tok.tokens.tolist() == [
        "i", "do", "n't", "like", "it", "!", "!", "quoted", "rock'n'roll", "?",
    ]  # fmt: skip
    assert tok.rows.tolist() == [0, 0, 0, 0, 0, 0, 0, 2, 2, 2]
    assert tok.n_texts == 3


def test_vocabulary_counts_texts_not_occurrences():
    vocab = build_vocabulary(["bad bad bad", "bad service", "fine"], min_count=2)
    assert list(vocab) == ["bad"]  # "bad" is in two texts; everything else in one
    rows = encode_terms(["bad bad", "nothing"], vocab)
    assert rows.indptr.tolist() == [0, 1, 1]  # a term counts once per text


def test_shipped_vectors_load_with_their_licence():
    table = shipped_vectors()
    assert table.name == TABLE and table.vectors.shape == (100_000, 50)
    words = table.words
    assert words[:3] == ["the", "of", "to"] and "n't" in words and "tedious" in words
    assert "PDDL" in resource("word_vectors", "LICENSE.txt").read_text(encoding="utf-8")


def test_pulls_equal_the_mean_vector_times_the_weights():
    table = shipped_vectors()
    tok = tokenize(["a dull and tedious film", "zzqx", "great"])
    weights = np.random.default_rng(0).normal(size=(50, 3))
    means = table.means(tok)
    assert not means[1].any()  # no known word: the zero vector
    pulls = table.pulls(tok, table.vectors @ weights)
    np.testing.assert_allclose(pulls, means @ weights, atol=1e-4)


def test_vectors_carry_what_was_learned_to_words_never_corrected():
    negative = ["a dull film", "boring and slow", "bland plot", "tiresome acting", "so dreary"]
    positive = ["a wonderful film", "brilliant acting", "superb plot", "so delightful", "terrific"]
    texts = (negative + positive) * 4
    labels = (["negative"] * 5 + ["positive"] * 5) * 4
    vader = np.tile(NEUTRAL, (len(texts), 1))  # VADER says nothing: only words teach
    probe = ["tedious", "magnificent"]  # in no correction
    with_vectors = fit(texts, vader, labels)
    assert with_vectors.predict(probe, np.tile(NEUTRAL, (2, 1))) == ["negative", "positive"]
    words_only = fit(texts, vader, labels, TrainSettings(word_vectors=False))
    guesses = words_only.predict(probe, np.tile(NEUTRAL, (2, 1)))
    assert guesses[0] == guesses[1]  # unknown words: the same guess for both
    again = LearnedModel.from_bytes(with_vectors.to_bytes())
    assert again.vectors == TABLE
    np.testing.assert_allclose(
        again.predict_proba(probe, np.zeros((2, 4))),
        with_vectors.predict_proba(probe, np.zeros((2, 4))),
        rtol=1e-5,
    )


def _blob(**arrays: object) -> bytes:
    buffer = io.BytesIO()
    base = {
        "terms": np.array('["bad"]'),
        "word_weights": np.array([[1.0, 0.0, -1.0]], np.float32),
        "vader_weights": np.zeros((13, 3)),
        "bias": np.zeros(3),
        "meta": np.array("{}"),
    }
    np.savez_compressed(buffer, **{**base, **arrays})
    return buffer.getvalue()


def test_a_format_1_model_without_vectors_still_loads_and_scores():
    model = LearnedModel.from_bytes(_blob(format=np.array([1])))
    assert model.vector_weights is None
    assert model.predict(["bad"], np.tile(NEUTRAL, (1, 1))) == ["negative"]


def test_a_model_of_vectors_this_build_does_not_ship_is_refused():
    blob = _blob(
        format=np.array([2]), vector_weights=np.zeros((50, 3)), vectors=np.array("other-300d")
    )
    with pytest.raises(WorkspaceError, match="does not ship"):
        LearnedModel.from_bytes(blob)


def test_a_shared_copy_scrubs_names_but_keeps_the_word_vectors():
    from engage_desktop.dashboard.share.learned_copy import scrub_model

    texts = ["kim was great", "awful from kim", "great support", "awful wait"] * 3
    labels = ["positive", "negative", "positive", "negative"] * 3
    model = fit(texts, np.tile(NEUTRAL, (len(texts), 1)), labels)
    scrubbed = LearnedModel.from_bytes(scrub_model(model.to_bytes(), {"kim"}))
    assert "kim" not in scrubbed.vocabulary and "great" in scrubbed.vocabulary
    assert scrubbed.vectors == TABLE
    np.testing.assert_array_equal(scrubbed.vector_weights, model.vector_weights)
