"""Loaders of the public data sets the recommendation benchmarks run on, as ``Interactions``.

The files live outside the repository, in ``../shared/data`` next to it (MovieLens' terms
forbid redistribution: they are read there, never copied). ``CRM_SHARED_DATA`` overrides
that folder. Only the standard library's ``csv`` module reads them (no pandas).

* :func:`load_online_retail`: UCI Online Retail invoice lines -> "purchase" interactions
  after the general cleaning of :func:`sale_line_problem`.
* :func:`load_movielens_ratings`: MovieLens 100k explicit ratings as columns.
* :func:`movielens_interactions`: ratings >= a threshold as implicit positives.
"""

from __future__ import annotations

import csv
import gzip
import math
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import numpy as np

from oscar_ai_crm.features.interactions import Interactions

SHARED_DATA_ENV = "CRM_SHARED_DATA"
ONLINE_RETAIL_FILE = Path("online-retail") / "online_retail.csv.gz"
MOVIELENS_DIR = Path("ml-100k")
#: How an invoice line weighs: 1 per line, or log(1 + quantity).
WEIGHTINGS = ("one", "log1p_quantity")
#: Reasons a line is not a sale of a product, in the order they are checked.
DROP_REASONS = (
    "no_customer",
    "cancellation",
    "quantity_not_positive",
    "price_not_positive",
    "not_a_product_code",
)
MOVIELENS_GENRES = (
    "unknown Action Adventure Animation Children's Comedy Crime Documentary Drama Fantasy "
    "Film-Noir Horror Musical Mystery Romance Sci-Fi Thriller War Western"
).split()


class DatasetMissing(FileNotFoundError):
    """A data file is not where the loaders look; the message says where and how to fix."""


def shared_data_dir() -> Path:
    """``$CRM_SHARED_DATA`` if set, else ``<repo>/../shared/data``."""
    override = os.environ.get(SHARED_DATA_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _require(path: Path) -> Path:
    if not path.exists():
        raise DatasetMissing(f"{path} not found; set {SHARED_DATA_ENV} to the shared data folder.")
    return path


# -- UCI Online Retail ---------------------------------------------------------------------


@dataclass
class CleaningReport:
    """How many invoice lines were read, kept, and dropped for each reason."""

    rows: int = 0
    kept: int = 0
    dropped: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, object]:
        return {"rows": self.rows, "kept": self.kept, "dropped": dict(self.dropped)}


@dataclass(frozen=True, eq=False)
class RetailData:
    """The cleaned purchases and the report of what the cleaning removed."""

    interactions: Interactions
    report: CleaningReport


class SaleLine(NamedTuple):
    """One invoice line, the CSV's columns as text (Country is not used)."""

    InvoiceNo: str  # noqa: N815 - the data set's column names
    StockCode: str  # noqa: N815
    Description: str  # noqa: N815
    Quantity: str  # noqa: N815
    InvoiceDate: str  # noqa: N815
    UnitPrice: str  # noqa: N815
    CustomerID: str  # noqa: N815


def sale_line_problem(line: SaleLine) -> str | None:
    """Why an invoice line is not a customer's purchase of a product (None if it is).

    General rules, not tuned to one file: a purchase needs a customer id; an invoice number
    starting with "C" is a cancellation; quantity and unit price must be positive numbers
    (returns, stock adjustments, free samples and bad-debt write-offs are not); and the
    stock code must start with a digit. Shops' product codes are mostly numbers (here 5
    digits with an optional letter), while service lines use words or letters: POST, DOT,
    M (manual), C2 (carriage), D (discount), S (samples), BANK CHARGES, AMAZONFEE, CRUK...
    """
    if not line.CustomerID.strip():
        return "no_customer"
    if line.InvoiceNo.strip().upper().startswith("C"):
        return "cancellation"
    if not _number(line.Quantity) > 0:
        return "quantity_not_positive"
    if not _number(line.UnitPrice) > 0:
        return "price_not_positive"
    if not line.StockCode.strip()[:1].isdigit():
        return "not_a_product_code"
    return None


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan  # not a number: fails the "> 0" tests, so the line is dropped


class _RetailColumns:
    """Accumulates the kept lines column by column."""

    def __init__(self, weighting: str) -> None:
        if weighting not in WEIGHTINGS:
            raise ValueError(f"weighting={weighting!r}; expected one of {WEIGHTINGS}.")
        self.weighting = weighting
        self.users: list[str] = []
        self.items: list[str] = []
        self.times: list[int] = []
        self.baskets: list[str] = []
        self.weights: list[float] = []
        self.descriptions: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._epoch: dict[str, int] = {}

    def add(self, line: SaleLine) -> None:
        item = line.StockCode.strip().upper()
        self.users.append(line.CustomerID.strip())
        self.items.append(item)
        self.times.append(self.epoch(line.InvoiceDate))
        self.baskets.append(line.InvoiceNo.strip())
        quantity = float(line.Quantity)
        self.weights.append(1.0 if self.weighting == "one" else math.log1p(quantity))
        text = line.Description.strip()
        if text:
            self.descriptions[item][text] += 1

    def epoch(self, text: str) -> int:
        """Seconds since the epoch of a ``YYYY-MM-DD HH:MM[:SS]`` time (read as UTC)."""
        value = self._epoch.get(text)
        if value is None:
            moment = datetime.fromisoformat(text.strip()).replace(tzinfo=UTC)
            value = self._epoch[text] = int(moment.timestamp())
        return value

    def interactions(self) -> Interactions:
        # Text = the item's most frequent description (codes are sometimes re-labelled).
        info = {
            item: {"text": names.most_common(1)[0][0], "category": "", "available": True}
            for item, names in self.descriptions.items()
        }
        return Interactions.from_columns(
            self.users,
            self.items,
            np.asarray(self.times, dtype=np.int64),
            weights=np.asarray(self.weights, dtype=np.float32),
            baskets=self.baskets,
            items_info=info,
        )


def clean_sale_lines(
    lines: Iterable[SaleLine], weighting: str = "one"
) -> tuple[Interactions, CleaningReport]:
    """Purchases from invoice lines; see :func:`sale_line_problem` for what is dropped.

    Each kept line is one "purchase" of ``StockCode`` (stripped, upper case) by
    ``CustomerID``, in basket ``InvoiceNo``, at ``InvoiceDate``, weighing 1 or
    ``log1p(Quantity)``; an item's text is its most frequent ``Description``.
    """
    columns = _RetailColumns(weighting)
    report = CleaningReport()
    for line in lines:
        report.rows += 1
        problem = sale_line_problem(line)
        if problem:
            report.dropped[problem] += 1
        else:
            report.kept += 1
            columns.add(line)
    return columns.interactions(), report


def read_sale_lines(path: Path) -> Iterator[SaleLine]:
    """The lines of a header-first CSV, gzip-compressed or plain (told by its first bytes)."""
    with open(path, "rb") as probe:
        zipped = probe.read(2) == b"\x1f\x8b"
    opener = gzip.open if zipped else open
    with opener(path, "rt", encoding="utf-8", newline="") as stream:  # type: ignore[operator]
        reader = csv.reader(stream)
        header = next(reader, [])
        missing = [name for name in SaleLine._fields if name not in header]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}.")
        columns = [header.index(name) for name in SaleLine._fields]
        for fields in reader:
            if fields:
                yield SaleLine._make([fields[index] for index in columns])


def load_online_retail(path: Path | None = None, weighting: str = "one") -> RetailData:
    """UCI Online Retail as cleaned purchases (default file under :func:`shared_data_dir`)."""
    path = _require(path or shared_data_dir() / ONLINE_RETAIL_FILE)
    interactions, report = clean_sale_lines(read_sale_lines(path), weighting)
    return RetailData(interactions, report)


# -- MovieLens 100k ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MovieLensRatings:
    """``u.data`` as parallel columns, and each movie's title and genres from ``u.item``."""

    users: np.ndarray
    items: np.ndarray
    ratings: np.ndarray
    timestamps: np.ndarray
    titles: dict[int, str]
    genres: dict[int, list[str]]

    def __len__(self) -> int:
        return len(self.ratings)


def load_movielens_ratings(folder: Path | None = None) -> MovieLensRatings:
    """Read ``u.data`` (tab-separated user, item, rating, time) and ``u.item`` (latin-1)."""
    folder = folder or shared_data_dir() / MOVIELENS_DIR
    with open(_require(folder / "u.data"), encoding="ascii") as stream:
        rows = [line.split("\t") for line in stream if line.strip()]
    table = np.asarray(rows, dtype=np.int64).reshape(-1, 4)
    titles, genres = _movielens_items(_require(folder / "u.item"))
    return MovieLensRatings(
        users=table[:, 0],
        items=table[:, 1],
        ratings=table[:, 2].astype(np.float32),
        timestamps=table[:, 3],
        titles=titles,
        genres=genres,
    )


def _movielens_items(path: Path) -> tuple[dict[int, str], dict[int, list[str]]]:
    titles: dict[int, str] = {}
    genres: dict[int, list[str]] = {}
    with open(path, encoding="latin-1", newline="") as stream:
        for fields in csv.reader(stream, delimiter="|"):
            if not fields:
                continue
            movie = int(fields[0])
            titles[movie] = fields[1]
            flags = fields[5 : 5 + len(MOVIELENS_GENRES)]
            genres[movie] = [
                g for g, flag in zip(MOVIELENS_GENRES, flags, strict=False) if flag == "1"
            ]
    return titles, genres


def movielens_interactions(data: MovieLensRatings, min_rating: float = 4.0) -> Interactions:
    """Ratings of at least ``min_rating`` as "purchase" interactions of weight 1.

    Every movie stays in the catalogue (text = title and genres, category = first genre);
    the rating itself is kept in ``rating``.
    """
    keep = data.ratings >= min_rating
    info = {
        movie: {
            "text": f"{title} {' '.join(data.genres.get(movie, []))}".strip(),
            "category": (data.genres.get(movie) or [""])[0],
            "available": True,
        }
        for movie, title in data.titles.items()
    }
    return Interactions.from_columns(
        data.users[keep].tolist(),
        data.items[keep].tolist(),
        data.timestamps[keep],
        weights=np.ones(int(keep.sum()), dtype=np.float32),
        ratings=data.ratings[keep],
        all_item_ids=sorted(data.titles),
        items_info=info,
    )
