"""The district store: DuckDB tables, and Parquet files partitioned by compound.

``DIR/district.duckdb`` holds four tables, each keyed by ``compound``:

``compounds``  one row of facts per compound that loaded, with the fingerprint and day
               they were taken on (money ``DECIMAL(18,2)``)
``checks``     audit findings counted by (check, severity)
``contracts``  contract terms compared across compounds (no counterparty)
``failures``   compounds that did not load, with their errors; kept out of the others
``files``      each file's size, mtime, inode and hash when last read, so an untouched
               file is not hashed again (not exported)

``DIR/parquet/<table>/compound=<id>/data0.parquet`` is the exchange format: each
compound's rows in its own Hive-style partition, rewritten only when that compound is,
so another engine (DuckDB, Trino, Spark, Dask) reads the district without assetreg. A
compound that declines to share beyond the district has no partition there.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ..errors import BadInput
from ..vocab import STATUS_LABELS
from .discover import FileState
from .facts import CompoundFacts, ContractFact

DB_NAME = "district.duckdb"
SCHEMA_VERSION = "4"
TABLES = ("compounds", "checks", "contracts", "failures")
_STATUS_COLUMNS = ", ".join(f'"assets_{s}" INTEGER' for s in STATUS_LABELS)

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS compounds (
  compound VARCHAR PRIMARY KEY, fingerprint VARCHAR NOT NULL, as_of DATE NOT NULL,
  name VARCHAR, district VARCHAR, households INTEGER, {_STATUS_COLUMNS},
  contracts_in_force INTEGER, year INTEGER,
  gross DECIMAL(18,2), cost DECIMAL(18,2), net DECIMAL(18,2), to_maintenance DECIMAL(18,2),
  last_disclosure VARCHAR, last_disclosure_date DATE, overdue_periods VARCHAR[],
  errors INTEGER, warnings INTEGER, last_seal_through DATE, last_seal_date DATE,
  suspense DECIMAL(18,2), beyond_district BOOLEAN, sharing_since DATE,
  seconds DOUBLE, cpu_seconds DOUBLE);
CREATE TABLE IF NOT EXISTS checks (
  compound VARCHAR, "check" VARCHAR, severity VARCHAR, n INTEGER);
CREATE TABLE IF NOT EXISTS contracts (
  compound VARCHAR, contract VARCHAR, use VARCHAR, period VARCHAR, price DECIMAL(18,2),
  start DATE, "end" DATE, in_force BOOLEAN, assets INTEGER, area DECIMAL(18,2),
  unit_price DECIMAL(18,2), basis VARCHAR);
CREATE TABLE IF NOT EXISTS files (
  compound VARCHAR, path VARCHAR, size BIGINT, mtime_ns BIGINT, inode BIGINT, sha256 VARCHAR);
CREATE TABLE IF NOT EXISTS failures (
  compound VARCHAR PRIMARY KEY, fingerprint VARCHAR NOT NULL, as_of DATE NOT NULL,
  errors VARCHAR[]);
"""


@dataclass(frozen=True)
class Stored:
    """What the store knows of a compound: its fingerprint and day, and whether it loaded."""

    fingerprint: str
    as_of: dt.date
    ok: bool


class Store:
    def __init__(self, folder: Path, read_only: bool = False) -> None:
        """Open (or create) the store; ``read_only`` for readers (the report, the page),
        which need a store a build has written."""
        self.folder = folder
        path = folder / DB_NAME
        if read_only and not path.is_file():
            raise BadInput(f"no district store in {folder}", "run `assetreg district build` first")
        try:
            self.con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as err:
            raise BadInput(f"cannot open the district store {path}: {err}",
                           "wait for the other build to finish, or give another store folder") from None
        if read_only:
            found = self.con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if found is None or found[0] != SCHEMA_VERSION:
                self.con.close()
                raise BadInput(f"{path} was written by another version of assetreg",
                               "run `assetreg district build` again")
            return
        self.con.execute(SCHEMA)
        found = self.con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if found is not None and found[0] != SCHEMA_VERSION:
            # Written by another version: the store is derived from the ledgers, so start over.
            for table in ("meta", "files", *TABLES):
                self.con.execute(f"DROP TABLE IF EXISTS {table}")
            shutil.rmtree(folder / "parquet", ignore_errors=True)
            self.con.execute(SCHEMA)
            found = None
        if found is None:
            self.con.execute("INSERT INTO meta VALUES ('schema', ?)", [SCHEMA_VERSION])

    def close(self) -> None:
        self.con.close()

    # ---------------------------------------------------------------- reading

    def known(self) -> dict[str, Stored]:
        out = {c: Stored(f, d, True) for c, f, d in
               self.con.execute("SELECT compound, fingerprint, as_of FROM compounds").fetchall()}
        out.update({c: Stored(f, d, False) for c, f, d in
                    self.con.execute("SELECT compound, fingerprint, as_of FROM failures").fetchall()})
        return out

    def file_states(self) -> dict[str, dict[str, FileState]]:
        out: dict[str, dict[str, FileState]] = {}
        for c, path, size, mtime, inode, sha in self.con.execute(
                "SELECT compound, path, size, mtime_ns, inode, sha256 FROM files").fetchall():
            out.setdefault(c, {})[path] = (size, mtime, inode, sha)
        return out

    def put_file_states(self, states: dict[str, dict[str, FileState]]) -> None:
        """Replace the file states of these compounds (one transaction)."""
        if not states:
            return
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute("DELETE FROM files WHERE compound IN (SELECT unnest(?))", [list(states)])
            self._insert("files", [[c, path, *st] for c, files in states.items()
                                   for path, st in files.items()])
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def query(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    # ---------------------------------------------------------------- writing

    def write(self, loaded: list[tuple[CompoundFacts, str, float, float]],
              failed: list[tuple[str, str, dt.date, list[str]]], removed: Sequence[str] = ()) -> None:
        """Replace these compounds' rows in one transaction, then their Parquet partitions.

        ``loaded`` holds (facts, fingerprint, wall and CPU seconds of the load); ``failed`` (compound, fingerprint,
        day, errors); ``removed`` compounds are only dropped."""
        changed = [f.compound for f, *_ in loaded] + [c for c, _, _, _ in failed]
        gone = [*changed, *removed]
        if not gone:
            return
        self.con.execute("BEGIN TRANSACTION")
        try:
            for table in TABLES:
                self.con.execute(f"DELETE FROM {table} WHERE compound IN (SELECT unnest(?))", [gone])
            if removed:
                self.con.execute("DELETE FROM files WHERE compound IN (SELECT unnest(?))",
                                 [list(removed)])
            self._insert("compounds", [_compound_row(f, fp, sec, cpu) for f, fp, sec, cpu in loaded])
            self._insert("checks", [[f.compound, c, s, n] for f, *_ in loaded
                                    for (c, s), n in f.findings.items()])
            self._insert("contracts", [_contract_row(f.compound, c) for f, *_ in loaded
                                       for c in f.contracts])
            self._insert("failures", [list(x) for x in failed])
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")
        # The Parquet files are the exchange beyond the district: a compound that declines
        # to share beyond it (``district-sharing``) stays in the district's own tables only.
        kept = {f.compound for f, *_ in loaded if not f.beyond_district}
        shared = [c for c in changed if c not in kept]
        for table in TABLES:
            for c in gone:
                shutil.rmtree(self._partition(table, c), ignore_errors=True)
            if shared:
                self._export(table, shared)

    def _insert(self, table: str, rows: list[list[Any]]) -> None:
        # Many rows per statement: DuckDB's executemany runs one statement per row.
        for i in range(0, len(rows), _CHUNK):
            chunk = rows[i:i + _CHUNK]
            one = "(" + ", ".join(["?"] * len(chunk[0])) + ")"
            self.con.execute(f"INSERT INTO {table} VALUES {', '.join([one] * len(chunk))}",
                             [v for row in chunk for v in row])

    def _partition(self, table: str, compound: str) -> Path:
        return self.folder / "parquet" / table / f"compound={compound}"

    def _export(self, table: str, compounds: list[str]) -> None:
        """Each compound's rows as ``parquet/<table>/compound=<id>/data0.parquet``."""
        folder = self.folder / "parquet" / table
        folder.mkdir(parents=True, exist_ok=True)
        target = str(folder).replace("'", "''")
        self.con.execute(
            f"COPY (SELECT * FROM {table} WHERE compound IN (SELECT unnest(?))) TO '{target}' "
            "(FORMAT parquet, PARTITION_BY (compound), OVERWRITE_OR_IGNORE true, "
            "FILENAME_PATTERN 'data')", [compounds])


_CHUNK = 500


def _compound_row(f: CompoundFacts, fingerprint: str, seconds: float, cpu: float) -> list[Any]:
    status = [f.assets.get(s, 0) for s in STATUS_LABELS]
    return [f.compound, fingerprint, f.as_of, f.name, f.district, f.households, *status,
            f.contracts_in_force, f.year, f.gross, f.cost, f.net, f.to_maintenance,
            f.last_disclosure, f.last_disclosure_date, list(f.overdue_periods),
            f.errors, f.warnings, f.last_seal_through, f.last_seal_date, f.suspense, f.beyond_district,
            f.sharing_since, seconds, cpu]


def _contract_row(compound: str, c: ContractFact) -> list[Any]:
    return [compound, c.contract, c.use, c.period, c.price, c.start, c.end, c.in_force, c.assets,
            c.area, c.unit_price, c.basis]
