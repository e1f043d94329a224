"""Rating scales and consensus rules for e-Delphi rounds: what counts as agreement, fixed before a round opens.

A ``Scale`` is a range of whole-number ratings split into three bands (low, mid, high). A
``ConsensusRule`` says, in percentages of the ratings given, when an item is included, excluded or
left without consensus. Both check themselves on construction, so every instance in use is a sane
one, and both round-trip through JSON-ready dicts to be recorded with the round.

Percentages are compared exactly, as ``count * 100 >= pct * n`` in fractions, never as
``count / n * 100`` in floats, where 57 of 100 comes out as 56.99999999999999 and would fail
"at least 57%". A float threshold such as 66.7 means the decimal it prints as, not its binary value.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Final, Literal

from .errors import Invalid

#: The answer "unable to rate": counted apart, never as a rating.
UNABLE: Final = "unable"
Rating = int | Literal["unable"]
#: A band's first and last point, both included.
Band = tuple[int, int]
BandName = Literal["low", "mid", "high"]
BAND_NAMES: Final[tuple[BandName, ...]] = ("low", "mid", "high")
Decision = Literal["include", "exclude", "no_consensus", "insufficient"]
INCLUDE: Final = "include"
EXCLUDE: Final = "exclude"
NO_CONSENSUS: Final = "no_consensus"
INSUFFICIENT: Final = "insufficient"
#: Beyond this a "scale" is a slider; the cap keeps distributions small enough to show and store.
MAX_POINTS: Final = 101
Pct = int | float


def is_whole(value: object) -> bool:
    """Return whether ``value`` is an int and not a bool."""
    # bool is an int subclass, but True is never a meaningful rating or threshold.
    return isinstance(value, int) and not isinstance(value, bool)


def _fields(data: object, what: str, allowed: Iterable[str], required: Iterable[str] = ()) -> Mapping[str, Any]:
    """Return ``data`` as a mapping after checking it has no unknown and no missing fields."""
    if not isinstance(data, Mapping):
        raise Invalid(f"{what} must be an object")
    allowed = set(allowed)
    unknown = sorted(str(key) for key in data if key not in allowed)
    if unknown:
        raise Invalid(f"{what} has unknown field(s): {', '.join(unknown)}")
    missing = [key for key in required if key not in data]
    if missing:
        raise Invalid(f"{what} is missing field(s): {', '.join(missing)}")
    return data


@dataclass(frozen=True)
class Scale:
    """A rating scale of whole numbers from ``min`` to ``max``, split into low, mid and high bands."""

    min: int
    max: int
    low: Band
    mid: Band
    high: Band

    def __post_init__(self) -> None:
        """Refuse a scale whose bands do not cover it in order, without gaps or overlaps."""
        if not is_whole(self.min) or not is_whole(self.max):
            raise Invalid(f"a scale's minimum and maximum must be whole numbers (got {self.min!r} and {self.max!r})")
        if self.max <= self.min:
            raise Invalid(f"the scale's maximum ({self.max}) must be greater than its minimum ({self.min})")
        if self.max - self.min + 1 < len(BAND_NAMES):
            raise Invalid(f"a scale needs at least 3 points, one per band (got {self.min}-{self.max})")
        if self.max - self.min + 1 > MAX_POINTS:
            raise Invalid(f"a scale may have at most {MAX_POINTS} points (got {self.max - self.min + 1})")
        expected_first = self.min
        for name in BAND_NAMES:
            band = getattr(self, name)
            if not isinstance(band, list | tuple) or len(band) != 2 or not all(is_whole(p) for p in band):
                raise Invalid(f"the {name} band must be a pair [first, last] of whole numbers (got {band!r})")
            # Lists come from JSON; a tuple keeps the scale hashable and truly frozen.
            object.__setattr__(self, name, (band[0], band[1]))
            first, last = band
            if first != expected_first:
                raise Invalid(
                    f"the {name} band must start at {expected_first} (got {first}): the low, mid and high bands "
                    f"must cover the scale {self.min}-{self.max} in order, without gaps or overlaps"
                )
            if last < first:
                raise Invalid(f"the {name} band {first}-{last} is empty: its last point is below its first")
            expected_first = last + 1
        if self.high[1] != self.max:
            raise Invalid(f"the high band must end at the scale's maximum {self.max} (got {self.high[1]})")

    @classmethod
    def default(cls) -> Scale:
        """Return the usual e-Delphi scale: 1-9 in bands 1-3, 4-6 and 7-9."""
        return cls(1, 9, (1, 3), (4, 6), (7, 9))

    @classmethod
    def five_point(cls) -> Scale:
        """Return the 1-5 scale in bands 1-2, 3 and 4-5."""
        return cls(1, 5, (1, 2), (3, 3), (4, 5))

    @property
    def points(self) -> range:
        """Return every point of the scale, lowest first."""
        return range(self.min, self.max + 1)

    def band(self, name: BandName) -> Band:
        """Return the first and last point of the named band."""
        if name not in BAND_NAMES:
            raise Invalid(f"unknown band {name!r}: expected one of {', '.join(BAND_NAMES)}")
        band: Band = getattr(self, name)
        return band

    def band_of(self, point: int) -> BandName:
        """Return the name of the band a point of the scale falls in."""
        for name in BAND_NAMES:
            first, last = self.band(name)
            if first <= point <= last:
                return name
        raise Invalid(f"{point!r} is not on the {self.min}-{self.max} scale")

    def label(self, name: BandName) -> str:
        """Return the band as people write it: "7-9", or "3" for a one-point band."""
        first, last = self.band(name)
        return str(first) if first == last else f"{first}-{last}"

    def to_dict(self) -> dict[str, Any]:
        """Return the scale as a JSON-ready dict."""
        return {"min": self.min, "max": self.max, "bands": {name: list(self.band(name)) for name in BAND_NAMES}}

    @classmethod
    def from_dict(cls, data: object) -> Scale:
        """Return the scale a dict describes, raising ``Invalid`` if it is not a sane one."""
        fields = _fields(data, "the scale", ("min", "max", "bands"), ("min", "max", "bands"))
        bands = _fields(fields["bands"], "the scale's bands", BAND_NAMES, BAND_NAMES)
        return cls(fields["min"], fields["max"], bands["low"], bands["mid"], bands["high"])


def check_rating(value: object, scale: Scale) -> Rating:
    """Return ``value`` as a rating on ``scale`` (a point or "unable"), raising ``Invalid`` otherwise."""
    if value == UNABLE and isinstance(value, str):
        return UNABLE
    if not is_whole(value):
        raise Invalid(f'a rating must be a whole number from {scale.min} to {scale.max} or "{UNABLE}" (got {value!r})')
    assert isinstance(value, int)  # for the type checker: is_whole said so
    if not scale.min <= value <= scale.max:
        raise Invalid(f"a rating must be from {scale.min} to {scale.max} (got {value})")
    return value


def _exact(pct: Pct) -> Fraction:
    # repr gives the shortest decimal that reads back as this float, which is what the person typed.
    return Fraction(repr(pct)) if isinstance(pct, float) else Fraction(pct)


def at_least(count: int, n: int, pct: Pct) -> bool:
    """Return whether ``count`` of ``n`` is at least ``pct`` percent, in exact arithmetic."""
    return count * 100 >= _exact(pct) * n


def _pct_text(pct: Pct) -> str:
    """Return a percentage as written in a sentence: "70%", "66.7%"."""
    return f"{int(pct) if float(pct).is_integer() else pct}%"


@dataclass(frozen=True)
class ConsensusRule:
    """When an item is included, excluded or left without consensus, in percentages of its ratings.

    Include when at least ``include_top_min_pct`` of the ratings are in the high band and (unless
    ``include_bottom_max_pct`` is None) strictly fewer than ``include_bottom_max_pct`` are in the low band;
    exclude when at least ``exclude_bottom_min_pct`` are in the low band (never, if None); otherwise no
    consensus. Fewer than ``min_responses`` ratings is "insufficient". A rule under which include and
    exclude could both hold is refused, so the order of the checks never matters.
    """

    include_top_min_pct: Pct = 70
    include_bottom_max_pct: Pct | None = 15
    exclude_bottom_min_pct: Pct | None = 70
    min_responses: int = 1
    scale: Scale = field(default_factory=Scale.default)

    def __post_init__(self) -> None:
        """Refuse thresholds that are not percentages, or that could include and exclude one item at once."""
        for name in ("include_top_min_pct", "include_bottom_max_pct", "exclude_bottom_min_pct"):
            value = getattr(self, name)
            if value is None and name != "include_top_min_pct":
                continue
            if not (is_whole(value) or isinstance(value, float)) or not math.isfinite(value) or not 0 < value <= 100:
                raise Invalid(f"{name} must be a percentage above 0 and at most 100 (got {value!r})")
        if not is_whole(self.min_responses) or self.min_responses < 1:
            raise Invalid(f"min_responses must be a whole number of at least 1 (got {self.min_responses!r})")
        if not isinstance(self.scale, Scale):
            raise Invalid("the rule's scale must be a Scale")
        top, cap, bottom = self.include_top_min_pct, self.include_bottom_max_pct, self.exclude_bottom_min_pct
        # Both can hold exactly when top% + bottom% fit in 100% together and the bottom share that
        # excludes is still below the include cap: then some round (e.g. n = 100) meets both.
        if bottom is not None and (cap is None or _exact(bottom) < _exact(cap)) and _exact(top) + _exact(bottom) <= 100:
            low, high = self.scale.label("low"), self.scale.label("high")
            raise Invalid(
                f"this rule could both include and exclude an item: {_pct_text(top)} rating {high} and "
                f"{_pct_text(bottom)} rating {low} can happen together; raise a threshold so that include "
                f"and exclude cannot both hold (e.g. an include cap on {low} at or below the exclude threshold)"
            )

    def includes(self, n: int, top: int, bottom: int) -> bool:
        """Return whether ``top`` high-band and ``bottom`` low-band ratings out of ``n`` meet the include rule."""
        if n < self.min_responses:
            return False
        cap = self.include_bottom_max_pct
        return at_least(top, n, self.include_top_min_pct) and (cap is None or not at_least(bottom, n, cap))

    def excludes(self, n: int, top: int, bottom: int) -> bool:
        """Return whether ``bottom`` low-band ratings out of ``n`` meet the exclude rule."""
        if n < self.min_responses or self.exclude_bottom_min_pct is None:
            return False
        return at_least(bottom, n, self.exclude_bottom_min_pct)

    def decide(self, n: int, top: int, bottom: int) -> Decision:
        """Return the decision for ``n`` ratings of which ``top`` are in the high band and ``bottom`` in the low."""
        if not all(is_whole(x) and x >= 0 for x in (n, top, bottom)) or top + bottom > n:
            raise Invalid(f"band counts must be whole numbers within the ratings (n={n}, top={top}, bottom={bottom})")
        if n < self.min_responses:
            return INSUFFICIENT
        if self.includes(n, top, bottom):
            return INCLUDE
        if self.excludes(n, top, bottom):
            return EXCLUDE
        return NO_CONSENSUS

    def describe(self) -> str:
        """Return the rule as one English sentence, as a paper's methods section would state it."""
        low, high = self.scale.label("low"), self.scale.label("high")
        include = f"included when at least {_pct_text(self.include_top_min_pct)} of its ratings are {high}"
        if self.include_bottom_max_pct is not None:
            include += f" and fewer than {_pct_text(self.include_bottom_max_pct)} are {low}"
        parts = [include]
        if self.exclude_bottom_min_pct is not None:
            parts.append(f"excluded when at least {_pct_text(self.exclude_bottom_min_pct)} of its ratings are {low}")
        parts.append("and otherwise without consensus")
        fewest = "no ratings" if self.min_responses == 1 else f"fewer than {self.min_responses} ratings"
        return (
            f"On a {self.scale.min}-{self.scale.max} scale, an item is {', '.join(parts)}; "
            f'"unable to rate" answers are not counted as ratings, and an item with {fewest} is left undecided.'
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the rule as a JSON-ready dict."""
        return {
            "scale": self.scale.to_dict(),
            "include_top_min_pct": self.include_top_min_pct,
            "include_bottom_max_pct": self.include_bottom_max_pct,
            "exclude_bottom_min_pct": self.exclude_bottom_min_pct,
            "min_responses": self.min_responses,
        }

    @classmethod
    def from_dict(cls, data: object) -> ConsensusRule:
        """Return the rule a dict describes (absent fields take their defaults), raising ``Invalid`` if not sane."""
        names = ("include_top_min_pct", "include_bottom_max_pct", "exclude_bottom_min_pct", "min_responses")
        fields = _fields(data, "the consensus rule", ("scale", *names))
        scale = Scale.from_dict(fields["scale"]) if "scale" in fields else Scale.default()
        return cls(scale=scale, **{name: fields[name] for name in names if name in fields})
