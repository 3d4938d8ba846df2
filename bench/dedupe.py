"""Batch dedupe benchmark: our engine at 10k/100k/1M synthetic records, Splink as the peer.

Each measured run is a fresh subprocess, so its wall time and peak memory are its own:
reading the CSV plus :func:`matching.batch.dedupe` (what ``ddr dedupe`` does). Pair
completeness and F1 are computed afterwards against the generator's truth, outside the timing.
Our engine runs once per ``--jobs`` number (worker processes scoring the candidate pairs; by
default the number of cores). Peak memory counts the worker processes too: ``peak_gb`` is the
peak of the summed proportional set sizes (a page shared copy-on-write counted once),
``peak_rss_sum_gb`` of the summed resident sizes (shared pages counted in every process).
Wall times are unreliable on a shared machine, so each run also reports its CPU seconds (user +
system, all threads, the worker processes included), per stage of the engine (``prepare``
the records, ``block``, ``score`` the candidate pairs, ``cluster``, and the ``rest``) and the
scoring's CPU per candidate pair: the
1,000,000-record run's scoring can be extrapolated from a 100,000-record run as its candidate
pairs × CPU per pair.
Splink (DuckDB backend, a standard configuration: Jaro–Winkler on names, date of birth,
blocking rules, EM) runs on the same 100k file.

    python bench/dedupe.py                      # 10k, 100k, 1M and Splink at 100k
    python bench/dedupe.py --sizes 10000 100000 --no-splink
    python bench/dedupe.py --sizes 100000 --no-splink --jobs 1 2   # serial against parallel
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matching.batch import default_jobs  # noqa: E402


class _PeakMemory:
    """Sample the memory of this process and its worker processes until stopped (psutil).

    Two peaks: the sum of resident set sizes (RSS; pages the forked workers share with the
    parent are counted in each, so an upper bound) and the sum of proportional set sizes (PSS;
    a shared page counted once, split between the processes sharing it).
    """

    def __init__(self) -> None:
        import psutil

        self.process = psutil.Process()
        self.peak_rss = self.peak_pss = 0
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        import psutil

        while self.running:
            rss = pss = 0
            for process in [self.process, *self.process.children(recursive=True)]:
                try:
                    memory = process.memory_full_info()
                except psutil.Error:  # a worker that has just exited
                    continue
                rss += memory.rss
                pss += memory.pss
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            time.sleep(1.0)  # reading a large process's smaps takes CPU from the run

    def stop(self) -> tuple[float, float]:
        """Stop sampling; return the peaks (RSS, PSS) in GB."""
        self.running = False
        self.thread.join()
        return self.peak_rss / 1e9, self.peak_pss / 1e9


def _cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and of its worker processes that have
    exited (the batch engine's pool is shut down at the end of its scoring stage)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


class _StageClock:
    """CPU seconds of each stage of :func:`matching.batch.dedupe`, from its progress calls
    (a stage ends at its last call; the next one starts there)."""

    def __init__(self) -> None:
        self.started = _cpu_seconds()
        self.ends: dict[str, float] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.ends[stage] = _cpu_seconds()

    def stages(self, finished: float) -> dict[str, float]:
        out, start = {}, self.started
        for name, end in [*self.ends.items(), ("rest", finished)]:
            out[name] = round(end - start, 2)
            start = end
        return out


def _truth(path: Path) -> dict[str, str]:
    import pandas as pd

    frame = pd.read_csv(path, dtype=str)
    return dict(zip(frame["record_id"], frame["person_id"], strict=True))


def _run_ours(csv_path: Path, truth_path: Path, jobs: int) -> dict[str, object]:
    from matching.batch import dedupe, read_records_csv
    from matching.blocking import candidate_pairs, key_groups, neighbourhood_order
    from matching.evaluation import pair_metrics, true_pairs
    from matching.records import prepare_records

    memory = _PeakMemory()
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    frame = read_records_csv(csv_path)
    clock = _StageClock()
    result = dedupe(frame, progress=clock, jobs=jobs)
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds()
    peak_rss, peak_pss = memory.stop()
    pairs = int(result.stats["candidate_pairs"])
    stages = {"read": round(clock.started - cpu_started, 2), **clock.stages(cpu)}
    truth = _truth(truth_path)
    matches = result.pairs[result.pairs["decision"] == "match"]
    metrics = pair_metrics(zip(matches["record_id_a"], matches["record_id_b"], strict=True),
                           truth)
    prepared = prepare_records(frame)
    a, b, _ = candidate_pairs(key_groups(prepared), len(prepared),
                              order=neighbourhood_order(prepared))
    persons = prepared["record_id"].map(truth).to_numpy()
    found = int((persons[a] == persons[b]).sum())
    return {
        "engine": "matching", "jobs": result.stats["jobs"], "records": len(frame),
        "seconds": round(seconds, 1), "cpu_seconds": round(cpu - cpu_started, 1),
        "cpu_stages": stages,
        "score_cpu_us_per_pair": round(stages.get("score", 0.0) * 1e6 / max(pairs, 1), 2),
        "peak_gb": round(peak_pss, 2), "peak_rss_sum_gb": round(peak_rss, 2),
        "candidate_pairs": pairs,
        "pair_completeness": round(found / max(len(true_pairs(truth)), 1), 4),
        "precision": round(metrics.precision, 4), "recall": round(metrics.recall, 4),
        "f1": round(metrics.f1, 4),
    }


def _run_splink(csv_path: Path, truth_path: Path) -> dict[str, object]:
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from matching.evaluation import pair_metrics

    memory = _PeakMemory()
    started = time.perf_counter()
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    frame = frame.replace("", None).rename(columns={"record_id": "unique_id"})
    frame["dob"] = frame["date_of_birth"].where(frame["date_of_birth"].str.len() == 10)
    for column in ("given_name", "father_name", "grandfather_name", "family_name"):
        frame[column] = frame[column].str.strip().str.lower()
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("given_name", [0.92, 0.8]),
            cl.JaroWinklerAtThresholds("father_name", [0.92, 0.8]),
            cl.JaroWinklerAtThresholds("grandfather_name", [0.92, 0.8]),
            cl.JaroWinklerAtThresholds("family_name", [0.92, 0.8]),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.ExactMatch("phone"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "family_name"),
            block_on("given_name", "father_name"),
            block_on("dob"),
            block_on("phone"),
        ],
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(frame), settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "father_name", "family_name")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "family_name")
    )
    predictions = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    seconds = time.perf_counter() - started
    peak, _ = memory.stop()
    metrics = pair_metrics(
        zip(predictions["unique_id_l"], predictions["unique_id_r"], strict=True), _truth(truth_path)
    )
    return {
        "engine": "splink", "records": len(frame), "seconds": round(seconds, 1),
        "peak_gb": round(peak, 2), "candidate_pairs": None, "pair_completeness": None,
        "precision": round(metrics.precision, 4), "recall": round(metrics.recall, 4),
        "f1": round(metrics.f1, 4),
    }


def _write_synthetic(n_records: int, directory: Path, seed: int) -> tuple[Path, Path]:
    from synthetic import SyntheticConfig, iter_records, persons_for_records

    config = SyntheticConfig(n_persons=persons_for_records(n_records), seed=seed)
    csv_path = directory / f"records_{n_records}.csv"
    truth_path = directory / f"truth_{n_records}.csv"
    import csv

    from matching.records import RECORD_COLUMNS

    with csv_path.open("w", encoding="utf-8", newline="") as records, \
            truth_path.open("w", encoding="utf-8", newline="") as truth:
        record_writer = csv.DictWriter(records, fieldnames=list(RECORD_COLUMNS))
        record_writer.writeheader()
        truth_writer = csv.writer(truth)
        truth_writer.writerow(["record_id", "person_id"])
        for record, person in iter_records(config):
            record_writer.writerow(record)
            truth_writer.writerow([record["record_id"], person])
    return csv_path, truth_path


def _subprocess(engine: str, csv_path: Path, truth_path: Path, jobs: int) -> dict[str, object]:
    output = subprocess.run(
        [sys.executable, __file__, "--jobs", str(jobs), "--child", engine, str(csv_path),
         str(truth_path)],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    """Run the benchmark and print one line per run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--jobs", type=int, nargs="*", default=[default_jobs()],
                        help="worker processes of our engine; one run per number given")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        engine, csv_path, truth_path = args.child
        if engine == "matching":
            print(json.dumps(_run_ours(Path(csv_path), Path(truth_path), args.jobs[0])))
        else:
            print(json.dumps(_run_splink(Path(csv_path), Path(truth_path))))
        return 0
    with tempfile.TemporaryDirectory() as directory:
        for size in args.sizes:
            csv_path, truth_path = _write_synthetic(size, Path(directory), args.seed)
            runs = [("matching", jobs) for jobs in args.jobs]
            if size == 100_000 and not args.no_splink:
                runs.append(("splink", 1))
            for engine, jobs in runs:
                print(json.dumps(_subprocess(engine, csv_path, truth_path, jobs)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
