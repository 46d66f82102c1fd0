"""The learned model's numpy core: features, fitting, storage, the F1 it reports."""

from __future__ import annotations

import numpy as np
import pytest

from engage_desktop.core.errors import WorkspaceError
from engage_desktop.enrich.learned.model import (
    CLASSES,
    LearnedModel,
    encode_terms,
    fit,
    macro_f1,
    terms,
    vader_features,
)


def test_terms_are_words_bigrams_and_stems():
    got = terms("The router KEEPS dropping!")
    assert {"the", "router", "keeps", "dropping", "!", "keeps dropping", "dropping !"} <= got
    assert "dropp~" in got and "route~" not in got  # stems only for long words


def test_vader_features_bin_the_compound():
    feats = vader_features(np.array([[-0.9, 0, 0.1, 0.9], [0.0, 0, 1, 0], [0.6, 0.5, 0.5, 0]]))
    assert feats.shape == (3, 13)
    assert feats[:, 4:].sum(axis=1).tolist() == [1.0, 1.0, 1.0]
    assert feats[0, 4] == 1.0 and feats[1, 8] == 1.0 and feats[2, 11] == 1.0


def test_encode_terms_scales_rows_and_drops_unknown_words():
    rows = encode_terms(["keeps dropping", "nothing known", ""], {"keeps": 0, "dropping": 1})
    assert rows.indptr.tolist() == [0, 2, 2, 2]
    assert rows.values.tolist() == pytest.approx([2**-0.5, 2**-0.5])
    dense = rows.dot(np.eye(2))
    assert dense[0].tolist() == pytest.approx([2**-0.5, 2**-0.5]) and not dense[1:].any()


def test_fit_learns_a_word_vader_does_not_know_and_round_trips():
    texts = [f"the wifi keeps dropping {i}" for i in range(30)]
    texts += [f"rock solid all week {i}" for i in range(30)]
    texts += [f"ordered a router {i}" for i in range(30)]
    labels = ["negative"] * 30 + ["positive"] * 30 + ["neutral"] * 30
    vader = np.tile([0.0, 0.0, 1.0, 0.0], (90, 1))  # VADER: all neutral
    model = fit(texts, vader, labels)
    probe = ["my wifi keeps dropping", "rock solid", "a router"]
    assert model.predict(probe, np.tile([0.0, 0.0, 1.0, 0.0], (3, 1))) == [
        "negative",
        "positive",
        "neutral",
    ]
    again = LearnedModel.from_bytes(model.to_bytes())
    np.testing.assert_allclose(
        again.predict_proba(probe, np.zeros((3, 4))),
        model.predict_proba(probe, np.zeros((3, 4))),
        rtol=1e-5,
    )
    pull = dict(model.term_weights())
    assert pull["dropping"] < 0 < pull["solid"]


def test_a_blob_that_is_not_a_model_is_refused():
    with pytest.raises(WorkspaceError, match="cannot be read"):
        LearnedModel.from_bytes(b"not a model")


def test_macro_f1():
    assert macro_f1(["positive", "negative"], ["positive", "negative"]) == pytest.approx(2 / 3)
    assert macro_f1(list(CLASSES), list(CLASSES)) == 1.0
    assert macro_f1(["positive"] * 2, ["negative"] * 2) == 0.0
