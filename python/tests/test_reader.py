"""The reader against real somnia outputs (fixtures/README.md says how they were made).

Every check compares one file with another somnia wrote independently (recordings with the
outcome's spike counts, weights with its weight statistics, the sweep with the run, the
comparison with the sweep), so a reader that misreads a file fails here.
"""

import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import somnia_reader as sr
from somnia_reader import weights as sr_weights

FIXTURES = Path(__file__).parent / "fixtures"


def unslept_folder() -> Path:
    """The one run folder the compare fixture keeps (its name ends in a content hash)."""
    (folder,) = (FIXTURES / "compare").glob("tiny_unslept-seed1-*")
    return folder
RUN = FIXTURES / "run"
H1 = 16  # neurons of h1 in tiny.sleep


@pytest.fixture(scope="module")
def run():
    return sr.load_run(RUN)


# --- outcome.json and metrics.csv ---------------------------------------------------------


def test_a_run_reads_its_outcome(run):
    raw = json.loads((RUN / "outcome.json").read_text())
    assert (run.protocol, run.seed, run.status) == (raw["protocol"], raw["seed"], "complete")
    assert run.error is None
    assert run.passed
    assert sr.load_run(RUN / "outcome.json").outcome == raw


def test_metrics_are_the_timeline_and_metrics_csv_holds_the_same_rows(run):
    raw = json.loads((RUN / "outcome.json").read_text())["timeline"]
    m = run.metrics
    assert list(m.columns) == ["op", "after", "label", "measure", "metric", "group", "task", "value"]
    assert len(m) == len(raw)
    assert m["value"].tolist() == [r["value"] for r in raw]
    assert m["group"].tolist() == [r.get("group", "") for r in raw]
    # Exactly: metrics.csv's numbers read back to the same f64.
    pd.testing.assert_frame_equal(m, run.metrics_csv(), check_dtype=False, check_exact=True)
    pd.testing.assert_frame_equal(run.metrics_csv(), sr.read_metrics_csv(RUN), check_dtype=False)


def test_final_values_are_the_last_of_the_timeline(run):
    m = run.metrics
    last = m[(m.metric == "accuracy") & (m.task == "pairs[0]")]["value"].iloc[-1]
    assert run.final["accuracy"]["pairs[0]"] == last
    group = m[(m.metric == "accuracy") & (m.task == "all")].iloc[-1]
    assert run.final["accuracy"][group["group"]] == group["value"]
    assert run.final["accuracy"]["all"] == group["value"]


def test_expectations_carry_their_verdict_and_place(run):
    e = run.expectations
    assert len(e) == 1
    row = e.iloc[0]
    assert row["text"] == "final accuracy(pairs[0]) > 60 %"
    assert row["value"] == run.final["accuracy"]["pairs[0]"]
    assert row["bound"] == pytest.approx(0.6)
    assert row["passed"] == (row["value"] > row["bound"])
    assert row["file"] == "tiny.sleep"
    assert row["line"] == 1 + (FIXTURES / "tiny.sleep").read_text().splitlines().index(
        "  expect final accuracy(pairs[0]) > 60 %")


def test_ops_follow_the_schedule(run):
    ops = run.ops
    assert ops["op"].tolist() == list(range(8))
    assert ops["kind"].tolist() == ["wake", "measure", "nrem", "measure"] * 2
    assert ops["name"].tolist()[2::4] == ["consolidate#0", "consolidate#1"]
    # sleep_base + k * 100 steps, k = 0, 1
    assert ops["amount"].tolist()[2::4] == [310, 410]
    assert ops["seconds"].tolist() == run.timing["ops"]
    assert run.op("consolidate#1")["index"] == 6
    assert run.op(2)["name"] == "consolidate#0"


def test_weight_histograms_count_every_synapse(run):
    h = run.weight_histograms
    assert set(h["projection"]) == {"x->h1", "h1->y"}
    assert set(h["op"]) == {2, 6}
    sizes = {"x->h1": 784 * H1, "h1->y": H1 * 10}
    for row in h.itertuples():
        assert row.counts.sum() == sizes[row.projection]
        assert row.min <= row.mean <= row.max


def test_provenance_is_read_when_present_and_none_when_absent(run, tmp_path):
    p = run.provenance
    assert p["somnia"] == run.outcome["somnia"]
    assert [d["dataset"] for d in p["data"]] == ["mnist", "mnist"]
    old = tmp_path / "old"
    shutil.copytree(RUN, old)
    doc = json.loads((old / "outcome.json").read_text())
    del doc["provenance"]
    (old / "outcome.json").write_text(json.dumps(doc))
    assert sr.load_run(old).provenance is None


def test_a_folder_without_an_outcome_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a somnia run folder"):
        sr.load_run(tmp_path)


# --- weights/ ----------------------------------------------------------------------------


def test_weights_are_post_by_pre_and_belong_to_the_run(run):
    w = run.weights("end")
    assert run.weight_points == ["end"]
    assert {k: v.shape for k, v in w.items()} == {"x->h1": (H1, 784), "h1->y": (10, H1)}
    assert all(v.dtype == np.float32 for v in w.values())
    # The last measurement of the run measured this std of x->h1 (over every synapse).
    assert np.std(w["x->h1"].astype(np.float64)) == pytest.approx(
        run.final["weights.std"]["x->h1"], rel=1e-5)
    assert run.biases("end") == {"x->h1": None, "h1->y": None}


def test_weights_name_their_saving_points():
    index = pd.DataFrame({
        "when": ["start", "op002-consolidate-0", "op006-consolidate-1", "end"],
        "op": pd.array([None, 2, 6, None], dtype="Int64"),
        "name": ["start", "consolidate#0", "consolidate#1", "end"],
        "projection": ["x->h1"] * 4, "file": ["f"] * 4, "rows": [1] * 4, "cols": [1] * 4,
    })
    assert sr_weights.select(index, 6)["when"].tolist() == ["op006-consolidate-1"]
    assert sr_weights.select(index, "consolidate#0")["op"].tolist() == [2]
    assert sr_weights.select(index, "op002-consolidate-0")["op"].tolist() == [2]
    assert sr_weights.select(index, "start")["when"].tolist() == ["start"]
    with pytest.raises(LookupError, match="several"):
        sr_weights.select(index, "consolidate")
    with pytest.raises(LookupError, match="saved: start, op002"):
        sr_weights.select(index, 4)


def test_a_run_without_weights_says_so():
    unslept = sr.load_run(unslept_folder())
    assert unslept.weights_index.empty
    with pytest.raises(LookupError, match="--save-weights"):
        unslept.weights()


# --- recordings/ -------------------------------------------------------------------------


def test_the_recordings_index_matches_its_files(run):
    rec = run.recordings
    assert list(rec.columns) == [
        "op", "name", "kind", "recording", "recorder", "population", "variable", "file",
        "rows", "cols", "dt", "bin", "unit", "steps", "size"]
    for row in rec.itertuples():
        a = np.load(RUN / "recordings" / row.file)
        assert a.shape[0] == row.rows and a.size == row.rows * row.cols
    assert set(rec["op"]) == {2, 6}
    # Each op's length in steps is the outcome's amount (sleep ops), the population's size
    # the network's.
    amounts = {op["index"]: op.get("amount") for op in run.outcome["ops"]}
    assert all(row.steps == amounts[row.op] for row in rec.itertuples())
    assert set(rec[rec["population"] == "h1"]["size"]) == {16}


def test_spike_counts_equal_the_outcomes(run):
    counts = run.spike_counts
    for (op, pop), n in counts.set_index(["op", "population"])["spikes"].items():
        if pop == "x":
            continue  # not recorded
        t, i = run.spikes(pop, op=op, recording=0 if pop == "h1" else None)
        assert len(t) == len(i) == n
    assert counts["spikes"].sum() > 0


def test_spikes_are_times_from_the_ops_start_and_neurons(run):
    sp = run.spikes("h1", op="consolidate#0", recording=0)
    t, i = sp
    assert t.dtype == np.float64 and i.dtype == np.int32
    steps = run.op("consolidate#0")["amount"]
    assert (np.diff(t) >= 0).all()
    assert 0 <= t.min() and t.max() < steps * sp.dt
    assert np.allclose(t / sp.dt, np.round(t / sp.dt))  # whole steps
    assert 0 <= i.min() and i.max() < H1
    trains = sp.trains(H1)
    assert len(trains) == H1 and sum(len(v) for v in trains.values()) == len(t)


def test_a_second_recorder_of_a_population_is_asked_for_by_its_index(run):
    first = run.spikes("h1", op=2, recording=0)
    second = run.spikes("h1", op=2, recording=3)
    assert (RUN / "recordings" / "op002-consolidate-0" / "h1.spikes3.t.npy").exists()
    # Both record every consolidate call: the same spikes.
    assert np.array_equal(first.t, second.t) and np.array_equal(first.i, second.i)
    with pytest.raises(LookupError, match="recording="):
        run.spikes("h1", op=2)


def test_op_must_be_named_when_several_were_recorded(run):
    with pytest.raises(LookupError, match=r"2 \(consolidate#0\), 6 \(consolidate#1\)"):
        run.spikes("y")
    with pytest.raises(LookupError, match="several calls"):
        run.spikes("y", op="consolidate")
    with pytest.raises(LookupError, match="spikes"):
        run.spikes("y", op=4)
    with pytest.raises(LookupError, match="recorded rates"):
        run.rates("y", op=2)
    assert len(run.spikes("y", op=6).t) == run.op(6)["spikes"]["y"]


def test_rates_times_bins_times_neurons_sum_to_the_spikes(run):
    for op in (2, 6):
        r = run.rates("h1", op=op)
        t, hz = r
        steps = run.op(op)["amount"]
        assert len(t) == math.ceil(steps * 0.001 / r.bin - 1e-9)
        assert r.widths.sum() == pytest.approx(steps * 0.001)
        assert np.allclose(t, np.arange(len(t)) * r.bin)
        spikes = run.op(op)["spikes"]["h1"]
        assert (hz.astype(np.float64) * r.widths * H1).sum() == pytest.approx(spikes, abs=1e-3)
        assert r.counts(H1).sum() == spikes
    # 310 steps in bins of 20: the last bin is 10 steps long.
    assert run.rates("h1", op=2).widths[-1] == pytest.approx(0.010)


def test_rates_count_the_spikes_of_each_bin(run):
    r = run.rates("h1", op=2)
    t, _ = run.spikes("h1", op=2, recording=0)
    per_bin = np.bincount((np.round(t / 0.001) // 20).astype(int), minlength=len(r.t))
    assert np.array_equal(r.counts(H1), per_bin)


def test_state_is_steps_by_neurons(run):
    for op in (2, 6):
        s = run.state("h1", "v", op=op)
        t, neurons, values = s
        steps = run.op(op)["amount"]
        assert neurons.tolist() == [0, 1, 2]
        assert values.shape == (steps, 3) and values.dtype == np.float32
        assert np.allclose(t, np.arange(steps) * 0.001)
        assert np.isfinite(values).all() and values.std() > 0
        assert np.array_equal(s.of(1), values[:, 1])
    with pytest.raises(LookupError, match="recorded: \\['v'\\]"):
        run.state("h1", "theta", op=2)


def test_a_neuron_is_reset_after_it_spikes(run):
    # The state is recorded after the step's reset: a neuron's v drops at its spikes.
    s = run.state("h1", "v", op=2)
    t, i = run.spikes("h1", op=2, recording=0)
    for k in s.neurons:
        steps = np.round(t[i == k] / 0.001).astype(int)
        v = s.of(int(k))
        for step in steps[steps > 0]:
            assert v[step] < v[step - 1] or v[step] == 0


def test_a_run_without_recordings_has_an_empty_index():
    unslept = sr.load_run(unslept_folder())
    assert unslept.recordings.empty
    assert list(unslept.recordings.columns)[:3] == ["op", "name", "kind"]
    with pytest.raises(LookupError, match="no spikes"):
        unslept.spikes("h1")


# --- sweep.csv ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sweep():
    return sr.load_sweep(FIXTURES / "sweep")


def test_the_long_sweep_has_every_runs_timeline(sweep, run):
    assert sweep.attrs["form"] == "long" and sweep.attrs["axes"] == ["sleep_base"]
    assert sorted(set(zip(sweep.point, sweep.seed))) == [(0, 1), (0, 2), (1, 1), (1, 2)]
    assert set(sweep["sleep_base"]) == {100.0, 310.0}
    assert set(sweep["sleep_base_unit"]) == {"steps"}
    assert sweep["status"].eq("complete").all()
    # The point as written is the run fixture: the same rows.
    same = sweep[(sweep.sleep_base == 310) & (sweep.seed == 1)]
    cols = ["op", "after", "label", "measure", "metric", "group", "task", "value"]
    pd.testing.assert_frame_equal(same[cols].reset_index(drop=True), run.metrics,
                                  check_dtype=False, check_exact=True)
    (folder,) = set(same["folder"])
    assert re.fullmatch(r"sleep_base=310steps-seed1-[0-9a-f]{8}", folder), folder
    assert set(sweep[sweep.metric == "accuracy"]["unit"]) == {"1"}


def test_finals_are_the_runs_final_values_in_both_forms(sweep, run):
    long = sr.finals(sweep)
    wide = sr.finals(sr.load_sweep(FIXTURES / "sweep-wide" / "sweep.csv"))
    keys = ["point", "seed", "metric", "key", "value"]
    pd.testing.assert_frame_equal(long[keys], wide[keys], check_dtype=False, check_exact=True)
    mine = long[(long.point == 1) & (long.seed == 1)]
    assert {(r.metric, r.key): r.value for r in mine.itertuples()} == {
        (m, k): v for m, keys in run.final.items() for k, v in keys.items()}


def test_a_long_sweep_keeps_text_axes_and_runs_that_measured_nothing(tmp_path):
    # somnia's header and cells for a grid over a dataset (a text axis) whose second point
    # did not run: such a run has one row with the measurement's columns empty.
    header = (FIXTURES / "sweep" / "sweep.csv").read_text().splitlines()[0]
    header = header.replace("sleep_base,sleep_base_unit", "data,data_unit,lr,lr_unit")
    (tmp_path / "sweep.csv").write_text("\n".join([
        header,
        "0,1,mnist,,0.1,1,complete,true,data=mnist-lr=0.1-seed1,1,learn#0,,0,accuracy,,all,0.5,1",
        "1,1,fashion,,0.1,1,not_run,,data=fashion-lr=0.1-seed1,,,,,,,,,",
    ]) + "\n")
    s = sr.load_sweep(tmp_path)
    assert s.attrs["axes"] == ["data", "lr"]
    assert s["data"].tolist() == ["mnist", "fashion"] and s["lr"].tolist() == [0.1, 0.1]
    assert s["status"].tolist() == ["complete", "not_run"]
    assert s["expectations_passed"].isna().tolist() == [False, True]
    f = sr.finals(s)
    assert f[["data", "metric", "key", "value"]].values.tolist() == [["mnist", "accuracy", "all", 0.5]]


# --- compare.json / compare.csv ----------------------------------------------------------


@pytest.fixture(scope="module")
def cmp():
    return sr.load_compare(FIXTURES / "compare")


def test_a_comparison_reads_its_document(cmp):
    assert cmp.name == "tiny vs tiny_unslept"
    assert cmp.arm_names == ["tiny", "tiny_unslept"] and cmp.baseline == "tiny"
    assert cmp.seeds == [1, 2] and cmp.few_seeds
    assert cmp.interval["level"] == 0.95
    assert cmp.runs[["arm", "seed"]].values.tolist() == [
        ["tiny", 1], ["tiny", 2], ["tiny_unslept", 1], ["tiny_unslept", 2]]
    assert cmp.expectations.empty


def test_compare_json_and_csv_hold_the_same_tables(cmp):
    doc = cmp.document
    from somnia_reader import compare as c
    pd.testing.assert_frame_equal(c.arms_from_json(doc), cmp.arms, check_dtype=False, check_exact=True)
    pd.testing.assert_frame_equal(c.differences_from_json(doc), cmp.differences, check_dtype=False,
                                  check_exact=True)
    assert len(cmp.arms) == 2 * len(doc["metrics"])


def test_arm_statistics_are_over_the_arms_runs(cmp, sweep):
    # The `tiny` arm's runs are the sweep's point sleep_base = 310 steps.
    finals = sr.finals(sweep)
    tiny = finals[finals.sleep_base == 310]
    for row in cmp.arms[cmp.arms.arm == "tiny"].itertuples():
        xs = tiny[(tiny.metric == row.metric) & (tiny.key == row.key)]["value"]
        assert row.n == len(xs) == 2
        assert row.mean == pytest.approx(xs.mean())
        assert row.std == pytest.approx(xs.std(ddof=1))
        assert row.ci_low <= row.mean <= row.ci_high


def test_differences_are_paired_by_seed(cmp, sweep):
    unslept = sr.load_run(unslept_folder())
    assert cmp.run("tiny_unslept", 1).final == unslept.final
    finals = sr.finals(sweep)
    tiny1 = finals[(finals.sleep_base == 310) & (finals.seed == 1)].set_index(["metric", "key"])
    arms = cmp.arms.set_index(["metric", "key", "arm"])
    for d in cmp.differences.itertuples():
        assert (d.arm, d.against, d.n_pairs) == ("tiny_unslept", "tiny", 2)
        # Both arms ran the same seeds: the mean difference is the difference of the means.
        assert d.mean == pytest.approx(
            arms.loc[(d.metric, d.key, "tiny_unslept"), "mean"] - arms.loc[(d.metric, d.key, "tiny"), "mean"])
        # The seed-1 pair lies within mean ± sd·(n-1)/sqrt(n) of two pairs.
        pair1 = unslept.final[d.metric][d.key] - tiny1.loc[(d.metric, d.key), "value"]
        assert abs(pair1 - d.mean) == pytest.approx(d.std / math.sqrt(2))
        if d.std > 0:
            assert d.effect_size == pytest.approx(d.mean / d.std)


def test_a_folder_without_compare_files_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="compare.json"):
        sr.load_compare(tmp_path)


def test_a_run_the_comparison_did_not_make_is_refused(cmp):
    with pytest.raises(LookupError, match="no run of arm 'tiny' on seed 9"):
        cmp.run("tiny", 9)
