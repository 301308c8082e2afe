"""Write the table of input limits (thaadsim.limits.limits_markdown) into the README between
its `<!-- limits:start -->` and `<!-- limits:end -->` markers."""

from __future__ import annotations

import re
from pathlib import Path

from thaadsim.limits import limits_markdown

README = Path(__file__).resolve().parent.parent / "README.md"


def main() -> None:
    text = README.read_text("utf-8")
    new = re.sub(r"(<!-- limits:start -->\n).*?(<!-- limits:end -->)",
                 lambda m: m.group(1) + limits_markdown() + "\n" + m.group(2), text,
                 count=1, flags=re.S)
    README.write_text(new, "utf-8")


if __name__ == "__main__":
    main()
