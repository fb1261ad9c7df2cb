"""No secret is committed: keys, tokens and passwords come from the environment."""

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "API token": re.compile(r"\b(?:sk|ghp|gho|xox[bp])[-_][A-Za-z0-9]{20,}"),
    "hard-coded Django secret": re.compile(r"SECRET_KEY\s*=\s*['\"](?!django-insecure-)[^'\"]{16,}"),
    "password in a URL": re.compile(r"://[^/\s:@]+:(?!guest@|\*\*)[^@\s/]{6,}@"),
}


def tracked_text_files():
    names = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True,
                           check=True).stdout.split()
    for name in names:
        path = REPO / name
        if path.suffix in {".pt", ".png", ".jpg", ".mo", ".zip", ".tar", ".gz"} or not path.is_file():
            continue
        try:
            yield name, path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue


def test_no_secret_in_tracked_files():
    found = [f"{name}: {label}" for name, text in tracked_text_files()
             for label, pattern in PATTERNS.items() if pattern.search(text)]
    assert found == []


def test_the_development_key_is_refused_in_production():
    settings_text = (REPO / "config" / "settings.py").read_text()
    # The only key in the code is the development one, used when DEBUG is on.
    assert 'SECRET_KEY = env("SECRET_KEY", default=_INSECURE_DEV_KEY if DEBUG else "")' \
        in settings_text
