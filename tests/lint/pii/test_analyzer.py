"""The spaCy model is loaded with only what the analyzer uses: what `ner` needs, and the
lemmatizer's word list; the rest of the pipeline is never read from disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.lint.pii.analyzer import DEFAULT_MODEL, _unused_components, analyzer_for

_PIPELINE = """\
[nlp]
lang = "en"
pipeline = {pipeline}

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tagger]
factory = "tagger"

[components.tagger.model]
@architectures = "spacy.Tagger.v2"

[components.tagger.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
upstream = "tok2vec"

[components.lemmatizer]
factory = "lemmatizer"

[components.ner]
factory = "ner"

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
"""


def _model(tmp_path: Path, ner_embedding: str, pipeline: str | None = None) -> str:
    text = _PIPELINE.format(pipeline=pipeline or '["tok2vec","tagger","lemmatizer","ner"]')
    (tmp_path / "config.cfg").write_text(text + ner_embedding, encoding="utf-8")
    return str(tmp_path)


def test_the_default_model_runs_ner_and_loads_only_the_lemmatizer_besides() -> None:
    analyzer = analyzer_for(DEFAULT_MODEL)
    assert analyzer.nlp.pipe_names == ["ner"]
    assert analyzer.nlp.component_names == ["lemmatizer", "ner"]
    assert analyzer.common_words("settings") and not analyzer.common_words("neumegen")


def test_a_ner_with_its_own_embedding_leaves_the_shared_tok2vec_unloaded(tmp_path: Path) -> None:
    own = (
        '\n[components.ner.model.tok2vec]\n@architectures = "spacy.Tok2Vec.v2"\n'
        '\n[components.ner.model.tok2vec.embed]\n@architectures = "spacy.MultiHashEmbed.v2"\n'
    )
    assert _unused_components(_model(tmp_path, own)) == ["tok2vec", "tagger"]


def test_a_ner_listening_to_tok2vec_keeps_it(tmp_path: Path) -> None:
    listener = (
        '\n[components.ner.model.tok2vec]\n@architectures = "spacy.Tok2VecListener.v1"\n'
        'upstream = "tok2vec"\n'
    )
    assert _unused_components(_model(tmp_path, listener)) == ["tagger"]


def test_a_ner_listening_to_any_upstream_keeps_every_embedding(tmp_path: Path) -> None:
    listener = (
        "\n[components.ner.model.tok2vec]\n"
        '@architectures = "spacy-transformers.TransformerListener.v1"\nupstream = "*"\n'
        '\n[components.transformer]\nfactory = "transformer"\n'
    )
    pipeline = '["transformer","tok2vec","tagger","lemmatizer","ner"]'
    assert _unused_components(_model(tmp_path, listener, pipeline)) == ["tagger"]


@pytest.mark.parametrize("config", [None, "[nlp\nbroken", '[nlp]\nlang = "en"\n'])
def test_an_unreadable_configuration_falls_back_to_loading_tok2vec(
    tmp_path: Path, config: str | None
) -> None:
    if config is not None:
        (tmp_path / "config.cfg").write_text(config, encoding="utf-8")
    unused = _unused_components(str(tmp_path))
    assert "tok2vec" not in unused
    assert {"tagger", "parser", "attribute_ruler"} <= set(unused)
