"""The core must stay pure: importing every core module loads no Textual, Rich or Jinja2."""

import subprocess
import sys


def test_core_imports_no_ui_or_templates() -> None:
    code = (
        "import pkgutil, importlib, sys, hkcms.core as c\n"
        "for m in pkgutil.iter_modules(c.__path__):\n"
        "    importlib.import_module('hkcms.core.' + m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in {'textual', 'rich', 'jinja2'})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
