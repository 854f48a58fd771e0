"""Values of any input: IRIs by RFC 3987, language tags by BCP 47 and the IANA registry."""

from __future__ import annotations

import ipaddress
import re
import warnings
from functools import cache

from kg.errors import LoadError, Location
from kg.limits.contract import InputWarning


# --- IRIs (RFC 3987) ---------------------------------------------------------------

@cache  # compiling the character classes takes ~80 ms: only once an IRI is checked
def _iri_pattern() -> re.Pattern:
    """RFC 3987's ``IRI`` rule (section 2.2) as a regular expression; IPv6 hosts go to ``ipaddress``."""
    ucschar = ("\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
               + "".join(f"{chr(p)}-{chr(p + 0xfffd)}" for p in range(0x10000, 0xe0000, 0x10000))
               + "\U000e1000-\U000efffd")
    iprivate = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
    unreserved = rf"A-Za-z0-9\-._~{ucschar}"
    sub_delims = r"!$&'()*+,;="
    pct = r"%[0-9A-Fa-f]{2}"
    ipchar = rf"(?:[{unreserved}{sub_delims}:@]|{pct})"
    segments = rf"(?:/{ipchar}*)*"
    authority = (rf"(?:(?:[{unreserved}{sub_delims}:]|{pct})*@)?"
                 rf"(?P<host>\[[^\]]*\]|(?:[{unreserved}{sub_delims}]|{pct})*)(?::[0-9]*)?")
    hier = rf"(?://{authority}{segments}|/(?:{ipchar}+{segments})?|{ipchar}+{segments}|)"
    query = rf"(?:\?(?:{ipchar}|[/?{iprivate}])*)?"
    fragment = rf"(?:\#(?:{ipchar}|[/?])*)?"
    return re.compile(rf"[A-Za-z][A-Za-z0-9+.\-]*:{hier}{query}{fragment}")


def valid_iri(text: str) -> bool:
    """``text`` is an absolute IRI by RFC 3987."""
    m = _iri_pattern().fullmatch(text)
    if m is None:
        return False
    host = m.group("host") or ""
    if host.startswith("["):
        inner = host[1:-1]
        if re.fullmatch(r"v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+", inner):
            return True
        try:
            ipaddress.IPv6Address(inner)
        except ValueError:
            return False
    return True


def check_iri(text: str, where: Location) -> str:
    """``text`` if it is an IRI by RFC 3987; else an error naming the first character at fault."""
    if valid_iri(text):
        return text
    bad = next((c for c in text if c in '"<>{}|\\^` ' or ord(c) < 0x21), None)
    detail = f": `{bad}` may not appear in an IRI" if bad else ""
    raise LoadError(f"`{text[:200]}` is not a valid IRI (RFC 3987){detail}", where,
                    "write a full IRI such as `https://example.org/path`; encode other characters "
                    "as %XX (e.g. a space as %20, `\"` as %22)")


# --- language tags (BCP 47) ----------------------------------------------------------

def check_language(tag: str, where: Location) -> bool:
    """Whether ``tag`` is a well-formed BCP 47 tag; one whose subtags are not in the IANA
    registry (``zz``, ``qq``) is kept with an ``InputWarning``."""
    import langcodes  # its registry takes a quarter of a second to load: only when a tag is read

    try:
        langcodes.Language.get(tag, normalize=False)
    except (ValueError, langcodes.tag_parser.LanguageTagError):
        return False
    if not langcodes.tag_is_valid(tag):
        warnings.warn(InputWarning(f"{where}: language tag `{tag}` is not in the IANA language subtag "
                                   "registry; did you mean `ja` or `en`?"), stacklevel=2)
    return True
