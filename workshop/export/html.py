"""A tool version as one standalone, printable HTML page: no scripts, nothing loaded from elsewhere."""

from __future__ import annotations

from html import escape

from ..core.content import Domain, Item, ToolContent, Topic
from ..core.drafts import VersionInfo
from .markup import text_direction, to_html
from .wording import (
    INSTRUCTIONS,
    RESPONDENT_LABELS,
    RESPONSE_TYPE_LABELS,
    question_numbers,
    show_when_phrase,
    triage_phrase,
    version_line,
)

#: Even if something slipped through escaping, the page may run no script and load nothing.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

#: Positioned boxes rather than flex or grid: WeasyPrint lays those out several times slower.
STYLE = """
body { font-family: system-ui, "Segoe UI", "DejaVu Sans", "Noto Sans", Arial, sans-serif; line-height: 1.45;
  color: #1a1a1a; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { font-size: 1.35rem; border-bottom: 2px solid #444; padding-bottom: .2rem; margin-top: 2.2rem; }
h3 { font-size: 1.1rem; margin-top: 1.6rem; }
.version { color: #555; margin-top: 0; }
.description { white-space: pre-line; color: #333; }
.toc ul { padding-left: 1.2rem; }
.item { border-top: 1px solid #ccc; padding: .5rem 0 .4rem 2.4rem; position: relative; }
.item .number { position: absolute; left: 0; font-weight: 600; }
.required { color: #8a1c1c; }
.stem { font-weight: 600; }
.stem p, .help p { margin: 0 0 .25rem; }
.help { color: #444; font-size: .92em; border-left: 3px solid #bbb; padding-left: .6rem; margin: .3rem 0; }
.instruction { font-style: italic; font-size: .9em; color: #444; margin: .3rem 0; }
.options { list-style: none; padding-left: .4rem; margin: .3rem 0; }
.box { font-size: 1.15em; margin-right: .4rem; }
.code { color: #777; font-size: .8em; font-family: "DejaVu Sans Mono", monospace; }
.scale { border-collapse: collapse; margin: .3rem 0; }
.scale td { border: 1px solid #999; width: 2rem; text-align: center; padding: .15rem; }
.line { border-bottom: 1px solid #666; height: 1.6rem; }
.date { margin: .5rem 0; letter-spacing: .05em; }
.meta { font-size: .8em; color: #555; margin: .4rem 0 0; position: relative; }
.meta dt { font-weight: 600; position: absolute; left: 0; }
.meta dd { margin: 0 0 0 6.5rem; white-space: pre-line; }
[dir="rtl"] { text-align: right; }
.help[dir="rtl"] { border-left: 0; border-right: 3px solid #bbb; padding: 0 .6rem 0 0; }
@page { size: A4; margin: 18mm 16mm 20mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt "DejaVu Sans", sans-serif;
    color: #666; } }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  .toc { display: none; }
  .item { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  a[href^="http"]::after { content: " (" attr(href) ")"; font-size: .85em; }
}
"""


def _dir(text: str) -> str:
    return ' dir="rtl"' if text_direction(text) == "rtl" else ""


def _plain(tag: str, text: str, cls: str) -> str:
    return f'<{tag} class="{cls}"{_dir(text)}>{escape(text.strip())}</{tag}>'


def _response(item: Item) -> str:
    if item.options:
        rows = "".join(
            f'<li{_dir(o.label)}><span class="box" aria-hidden="true">☐</span>{escape(o.label)} '
            f'<span class="code">{escape(o.code)}</span></li>'
            for o in item.options
        )
        return f'<ul class="options">{rows}</ul>'
    if item.response_type == "scale_0_10":
        numbers = "".join(f"<td>{n}</td>" for n in range(11))
        boxes = '<td><span aria-hidden="true">☐</span></td>' * 11
        return f'<table class="scale"><tr>{numbers}</tr><tr>{boxes}</tr></table>'
    if item.response_type == "short_text":
        return '<div class="line"></div>'
    if item.response_type == "long_text":
        return '<div class="line"></div>' * 4
    if item.response_type == "date":
        return '<p class="date">Day ____ / Month ____ / Year ________</p>'
    return ""


def _meta(item: Item, content: ToolContent, numbers: dict[str, int]) -> str:
    facts = [("Code", item.code), ("Respondent", RESPONDENT_LABELS.get(item.respondent, item.respondent))]
    if item.response_type != "display":
        facts.insert(1, ("Response", RESPONSE_TYPE_LABELS.get(item.response_type, item.response_type)))
    if item.show_when is not None:
        target = content.item(item.show_when.item_id)
        if target is not None:
            name = f"question {numbers[target.id]} ({target.code})" if target.id in numbers else target.code
            facts.append(("Condition", show_when_phrase(item, content, name)))
    if item.triage is not None:
        facts.append(("Triage", triage_phrase(item)))
    if item.source_note.strip():
        facts.append(("Source", item.source_note.strip()))
    rows = "".join(f"<dt>{escape(k)}</dt><dd{_dir(v)}>{escape(v)}</dd>" for k, v in facts)
    return f'<dl class="meta">{rows}</dl>'


def _item(item: Item, content: ToolContent, numbers: dict[str, int]) -> str:
    number = f"{numbers[item.id]}." if item.id in numbers else ""
    required = '<span class="required" title="An answer is needed">*</span>' if item.required else ""
    parts = [
        f'<section class="item" id="item-{escape(item.code)}">',
        f'<div class="number">{number}{required}</div>\n<div class="body">',
        f'<div class="stem"{_dir(item.stem)}>{to_html(item.stem)}</div>',
    ]
    if item.help.strip():
        parts.append(f'<div class="help"{_dir(item.help)}>{to_html(item.help)}</div>')
    instruction = INSTRUCTIONS.get(item.response_type, "")
    if instruction:
        parts.append(f'<p class="instruction">{escape(instruction)}</p>')
    parts += [_response(item), _meta(item, content, numbers), "</div>\n</section>"]
    return "\n".join(p for p in parts if p)


def _topic(domain: Domain, topic: Topic, content: ToolContent, numbers: dict[str, int]) -> str:
    parts = [f'<h3 id="topic-{escape(topic.id)}"{_dir(topic.title)}>{escape(topic.title)}</h3>']
    if topic.description.strip():
        parts.append(_plain("p", topic.description, "description"))
    parts += [_item(item, content, numbers) for item in topic.items]
    return "\n".join(parts)


def _toc(content: ToolContent) -> str:
    entries = []
    for domain in content.domains:
        topics = "".join(f'<li><a href="#topic-{escape(t.id)}">{escape(t.title)}</a></li>' for t in domain.topics)
        entries.append(f'<li><a href="#domain-{escape(domain.id)}">{escape(domain.title)}</a><ul>{topics}</ul></li>')
    return f'<nav class="toc" aria-label="Contents"><ul>{"".join(entries)}</ul></nav>' if entries else ""


def render_page(content: ToolContent, info: VersionInfo) -> str:
    """Return the version as one HTML document with its own print stylesheet."""
    numbers = question_numbers(content)
    body = [f"<h1{_dir(content.title)}>{escape(content.title)}</h1>", _plain("p", version_line(info), "version")]
    if info.note.strip():
        body.append(_plain("p", f"Note: {info.note}", "description"))
    if content.description.strip():
        body.append(_plain("p", content.description, "description"))
    if any(item.required for _, _, item in content.items()):
        body.append('<p class="instruction">Questions marked <span class="required">*</span> need an answer.</p>')
    body.append(_toc(content))
    for domain in content.domains:
        body.append(f'<h2 id="domain-{escape(domain.id)}"{_dir(domain.title)}>{escape(domain.title)}</h2>')
        if domain.description.strip():
            body.append(_plain("p", domain.description, "description"))
        body += [_topic(domain, topic, content, numbers) for topic in domain.topics]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="workshop">\n'
        f"<title>{escape(content.title)} ({escape(f'version {info.number}')})</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n" + "\n".join(b for b in body if b) + "\n</body>\n</html>\n"
    )


def render(content: ToolContent, info: VersionInfo) -> bytes:
    """Return the version as a UTF-8 HTML page."""
    return render_page(content, info).encode("utf-8")
