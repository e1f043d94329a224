"""How exports name and describe things: labels, conditions, version lines, file-safe names."""

from __future__ import annotations

import re
import unicodedata

from ..core.content import Condition, Item, Option, ToolContent
from ..core.drafts import VersionInfo

RESPONDENT_LABELS = {
    "returner": "Returning doctor",
    "supervisor": "Supervisor",
    "oh_professional": "Occupational health professional",
    "joint": "Joint (completed together)",
}
RESPONSE_TYPE_LABELS = {
    "agreement": "Agreement scale",
    "yes_no_na": "Yes / no / not applicable",
    "single_choice": "Single choice",
    "multiple_choice": "Multiple choice",
    "short_text": "Short text",
    "long_text": "Long text",
    "scale_0_10": "Scale from 0 to 10",
    "date": "Date",
    "display": "Information (no answer)",
}
#: What a respondent on paper is asked to do, by response type.
INSTRUCTIONS = {
    "agreement": "Tick one box.",
    "yes_no_na": "Tick one box.",
    "single_choice": "Tick one box.",
    "multiple_choice": "Tick all that apply.",
    "short_text": "Write your answer.",
    "long_text": "Write your answer.",
    "scale_0_10": "Tick one number from 0 to 10.",
    "date": "Write the date.",
    "display": "",
}
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def number(value: float) -> str:
    """Return a score or bound without a needless ``.0``."""
    return str(int(value)) if float(value).is_integer() else str(value)


def options_meeting(cond: Condition, target: Item) -> list[Option] | None:
    """Return the target's options a condition accepts, in option order; None for a 0-10 bound."""
    if cond.operator == "any_of":
        codes = set(cond.value)  # type: ignore[arg-type]
        return [o for o in target.options if o.code in codes]
    if target.response_type == "scale_0_10":
        return None
    bound = float(cond.value)  # type: ignore[arg-type]
    if cond.operator == "at_most":
        return [o for o in target.options if o.score is not None and o.score <= bound]
    return [o for o in target.options if o.score is not None and o.score >= bound]


def condition_phrase(cond: Condition, target: Item) -> str:
    """Return what an answer to ``target`` must be for the condition to hold, e.g. ``is Agree or Disagree``."""
    options = options_meeting(cond, target)
    if options is None:
        return f"is {'at most' if cond.operator == 'at_most' else 'at least'} {number(cond.value)}"  # type: ignore[arg-type]
    if not options:
        return "is never answered so (no option meets the condition)"
    labels = [o.label for o in options]
    joined = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]
    return f"includes {joined}" if target.response_type == "multiple_choice" else f"is {joined}"


def show_when_phrase(item: Item, content: ToolContent, name: str | None = None) -> str:
    """Return when an item is shown, e.g. ``Shown only when emo_coping is Disagree``; empty if always."""
    if item.show_when is None:
        return ""
    target = content.item(item.show_when.item_id)
    if target is None:
        return ""
    return f"Shown only when {name or target.code} {condition_phrase(item.show_when.when, target)}"


def triage_phrase(item: Item) -> str:
    """Return an item's triage rule as a sentence; empty when it has none."""
    if item.triage is None:
        return ""
    return f"If the answer {condition_phrase(item.triage.when, item)}: {item.triage.action}"


def option_list(item: Item) -> str:
    """Return an item's options as ``code=label`` joined by `` | ``."""
    return " | ".join(f"{o.code}={o.label}" for o in item.options)


def question_numbers(content: ToolContent) -> dict[str, int]:
    """Number the items that ask something 1, 2, 3... in tool order (display text gets no number)."""
    numbers: dict[str, int] = {}
    for _, _, item in content.items():
        if item.response_type != "display":
            numbers[item.id] = len(numbers) + 1
    return numbers


def version_label(info: VersionInfo) -> str:
    """Return e.g. ``Version 3 "agreed after workshop 1" (agreed)``."""
    label = f"Version {info.number}"
    if info.name:
        label += f' "{info.name}"'
    if info.agreed:
        label += " (agreed)"
    return label


def version_line(info: VersionInfo) -> str:
    """Return the version label with when and by whom it was saved."""
    return f"{version_label(info)}, saved {info.created_at:%Y-%m-%d %H:%M} UTC by {info.author}"


def slug(text: str, *, sep: str = "-", limit: int = 60, fallback: str = "tool") -> str:
    """Return an ASCII name for files and identifiers: lower-case letters and digits joined by ``sep``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    name = _NOT_SLUG.sub(sep, ascii_text).strip(sep)
    if len(name) > limit:
        # Cut at a word boundary where there is one, so the name does not end mid-word.
        cut = name[: limit + 1].rsplit(sep, 1)[0] if sep in name[: limit + 1] else name[:limit]
        name = cut.strip(sep)
    return name or fallback
