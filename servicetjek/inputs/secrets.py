"""The jobindsats API key: read from the environment only, checked before use, masked everywhere.

A key with a control character (a newline pasted with it, a carriage return from a Windows file)
would make `requests` raise InvalidHeader with the header, key included, in the traceback; it is
refused here first, with a message that never holds the key. Masking matches the key in any letter
case and URL-encoded, because a server may echo it lower-cased or quoted.
"""

from __future__ import annotations

import os
import re
import unicodedata
from urllib.parse import quote

from servicetjek.errors import InputError, Problem

ENV_KEY = "JOBINDSATS_API_KEY"
MASK = "***"
MAX_KEY_LENGTH = 4096


def key_problem(key: str) -> str | None:
    """Why the key cannot be sent as a header, in words that never quote it; None if it can."""
    if len(key) > MAX_KEY_LENGTH:
        return f"nøglen er for lang (over {MAX_KEY_LENGTH} tegn)"
    bad = [ch for ch in key if unicodedata.category(ch).startswith("C") or ch.isspace()]
    if bad:
        names = sorted({f"U+{ord(ch):04X}" for ch in bad})
        return (f"nøglen indeholder {len(bad)} kontroltegn eller mellemrum ({', '.join(names)}), f.eks. et "
                "linjeskift kopieret med; sæt den igen uden")
    try:
        key.encode("latin-1")
    except UnicodeEncodeError:
        return "nøglen indeholder tegn, der ikke kan sendes i en HTTP-header (kun ASCII)"
    return None


def api_key() -> str:
    """The key from the environment, checked; InputError (exit 2) if missing or unusable."""
    key = (os.environ.get(ENV_KEY) or "").strip()   # a newline at the end is harmless; one inside is not
    if not key:
        raise InputError(Problem(ENV_KEY, f"miljøvariablen {ENV_KEY} er ikke sat; sæt den til nøglen fra "
                                 f"STAR, f.eks. export {ENV_KEY}=... (nøglen må ikke stå i en fil i projektet)"))
    problem = key_problem(key)
    if problem:
        raise InputError(Problem(ENV_KEY, f"{problem} (nøglen vises ikke)"))
    return key


def scrub(text: str, key: str | None) -> str:
    """`text` with the key masked: any letter case, and its URL-encoded form."""
    if not key:
        return text
    variants = {key, quote(key, safe=""), quote(key)}
    pattern = "|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True))
    return re.sub(pattern, MASK, text, flags=re.I)
