"""Cross-site scripting payloads for every text field. Each one, if it ever runs, sets ``window.__xss`` and alerts.

All fit in 60 characters (the display-name limit), so every payload can go in every field.
"""

from __future__ import annotations

#: Markup, attribute, URL, Markdown and template tricks.
PAYLOADS = [
    "<script>__xss=1;alert(1)</script>",
    "<img src=x onerror=__xss=1;alert(1)>",
    "<svg onload=__xss=1;alert(1)>",
    "<svg><script>__xss=1;alert(1)</script></svg>",
    "<iframe src=javascript:__xss=1;alert(1)>",
    "<a href=javascript:__xss=1;alert(1)>x</a>",
    "[x](javascript:__xss=1;alert(1))",
    "![x](x onerror=__xss=1;alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    '"><img src=x onerror=__xss=1;alert(1)>',
    "'><svg onload=__xss=1;alert(1)>",
    "</textarea><img src=x onerror=__xss=1;alert(1)>",
    "</title><script>__xss=1;alert(1)</script>",
    "&lt;img src=x onerror=__xss=1;alert(1)&gt;",
    "&#60;script&#62;__xss=1;alert(1)&#60;/script&#62;",
    "<details open ontoggle=__xss=1;alert(1)>",
    "<body onload=__xss=1;alert(1)>",
    "<input autofocus onfocus=__xss=1;alert(1)>",
    "<math><a href=javascript:alert(1)>x</a></math>",
    "{{7*7}} ${7*7} <%= 7*7 %> {% raw %}",
    "javascript:__xss=1;alert(1)",
    "<style>@import'http://x'</style>",
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "@SUM(1+1)",
]
#: How a spreadsheet formula starts: a cell beginning with one of these is executed by Excel or LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
