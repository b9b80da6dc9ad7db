"""The fault spec grammar and the injector's decisions (seeded, scripted)."""

from __future__ import annotations

import pytest

from pipeline.errors import UsageError
from pipeline.sandbox import FaultInjector, FaultSpec, parse_faults
from pipeline.sandbox.faults import Fault

PATH = "/api/v1/m2m/sites/s_help/documents/text"


def test_the_documented_example_parses() -> None:
    spec = parse_faults("429=0.1,503=0.05,timeout=0.02,reset=0.01,latency=20ms")
    assert spec == FaultSpec(
        rates=(("429", 0.1), ("503", 0.05), ("timeout", 0.02), ("reset", 0.01)),
        latency=(0.02, 0.02),
    )
    assert spec.describe() == "429=0.1,503=0.05,timeout=0.02,reset=0.01,latency=20ms"


def test_every_key_parses_and_describe_reads_back() -> None:
    text = "500=0.1,502=0.1,504=0.1,after=0.25,latency=5ms-1.5s,retry_after=2,async_fail=0.3"
    spec = parse_faults(text)
    assert spec.rates == (("500", 0.1), ("502", 0.1), ("504", 0.1))
    assert (spec.after, spec.latency, spec.retry_after, spec.async_fail) == (
        0.25,
        (0.005, 1.5),
        2.0,
        0.3,
    )
    assert parse_faults(spec.describe()) == spec


@pytest.mark.parametrize("empty", [None, "", "  ", "none"])
def test_no_faults(empty: str | None) -> None:
    spec = parse_faults(empty)
    assert spec.is_empty
    assert spec.describe() == "none"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("429", "--faults: '429' is not key=value"),
        ("429=", "--faults: '429=' is not key=value"),
        ("418=0.1", "--faults: unknown key '418'"),
        ("429=1.5", "--faults: 429=1.5 needs a probability from 0 to 1"),
        ("reset=lots", "--faults: reset=lots needs a probability from 0 to 1"),
        ("429=0.6,503=0.6", "--faults: the fault rates add up to 1.2, more than 1"),
        ("latency=fast", "--faults: latency=fast needs a duration like 20ms, 0.5s or 2"),
        ("latency=50ms-10ms", "--faults: latency range '50ms-10ms' runs backwards"),
        ("429=0.1,429=0.2", "--faults: '429' is given twice"),
    ],
)
def test_bad_specs_are_usage_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_faults(text)
    assert caught.value.message == message
    assert caught.value.exit_code == 2
    assert caught.value.hint is not None and "key=value" in caught.value.hint


def _sequence(injector: FaultInjector, count: int = 200) -> list[Fault | None]:
    return [injector.decide("POST", PATH, "createTextDocument").fault for _ in range(count)]


def test_the_same_seed_gives_the_same_faults() -> None:
    spec = "429=0.2,503=0.1,timeout=0.05,reset=0.05"
    first = _sequence(FaultInjector(spec, seed=42))
    assert first == _sequence(FaultInjector(spec, seed=42))
    assert first != _sequence(FaultInjector(spec, seed=43))
    kinds = {fault.kind for fault in first if fault}
    assert kinds == {"429", "503", "timeout", "reset"}
    whens = {(fault.kind, fault.when) for fault in first if fault}
    assert ("429", "after") not in whens
    assert {("reset", "before"), ("reset", "after")} <= whens


def test_setting_the_spec_again_replays_the_sequence() -> None:
    injector = FaultInjector("503=0.5", seed=7)
    first = _sequence(injector, 20)
    injector.set("503=0.5")
    assert _sequence(injector, 20) == first
    injector.set("503=0.5", seed=8)
    assert injector.seed == 8
    assert _sequence(injector, 20) != first


def test_certain_and_impossible_faults() -> None:
    assert all(f == Fault("429", "before") for f in _sequence(FaultInjector("429=1", seed=1)))
    assert _sequence(FaultInjector("", seed=1)) == [None] * 200
    only_after = _sequence(FaultInjector("reset=1,after=1", seed=1), 20)
    assert {f.when for f in only_after if f} == {"after"}


def test_latency_is_fixed_or_drawn_within_its_range() -> None:
    fixed = FaultInjector("latency=20ms", seed=1)
    assert fixed.decide("GET", PATH, None).latency == 0.02
    ranged = FaultInjector("latency=10ms-30ms", seed=1)
    delays = [ranged.decide("GET", PATH, None).latency for _ in range(50)]
    assert all(0.01 <= d <= 0.03 for d in delays)
    assert len(set(delays)) > 1


def test_scripted_faults_hit_exactly_the_matching_requests() -> None:
    injector = FaultInjector(seed=1)
    scripted = injector.script("503", times=2, operation="createTextDocument")
    by_path = injector.script("reset", when="after", method="patch", path="*/documents/doc_*")
    assert injector.decide("GET", "/api/v1/m2m/sites/s/documents", "listDocuments").fault is None
    assert injector.decide("POST", PATH, "createTextDocument").fault == Fault(
        "503", "before", scripted=True
    )
    patch = injector.decide("PATCH", "/api/v1/m2m/sites/s/documents/doc_1", "updateDocument")
    assert patch.fault == Fault("reset", "after", scripted=True)
    assert injector.decide("PATCH", "/api/v1/m2m/sites/s/documents/doc_1", None).fault is None
    assert injector.decide("POST", PATH, "createTextDocument").fault is not None
    assert injector.decide("POST", PATH, "createTextDocument").fault is None
    assert (scripted.remaining, scripted.fired, by_path.remaining) == (0, 2, 0)


def test_scripts_take_precedence_and_do_not_shift_the_random_sequence() -> None:
    plain = FaultInjector("503=0.5", seed=3)
    expected = _sequence(plain, 10)
    injector = FaultInjector("503=0.5", seed=3)
    injector.script("429", times=3)
    scripted = _sequence(injector, 13)
    assert scripted[:3] == [Fault("429", "before", scripted=True)] * 3
    assert scripted[3:] == expected


def test_script_arguments_are_checked() -> None:
    injector = FaultInjector()
    with pytest.raises(ValueError, match="unknown fault kind"):
        injector.script("418")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cannot strike after"):
        injector.script("429", when="after")
    with pytest.raises(ValueError, match="at least 1"):
        injector.script("503", times=0)
    with pytest.raises(ValueError, match="429 faults only"):
        injector.script("503", retry_after=1)


def test_async_failures_follow_their_rate() -> None:
    assert not FaultInjector(seed=1).async_fails()
    assert FaultInjector("async_fail=1", seed=1).async_fails()
    draws = [FaultInjector("async_fail=0.5", seed=s).async_fails() for s in range(40)]
    assert True in draws and False in draws
