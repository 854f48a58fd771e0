"""SPARQL text: tokens, the query form, the WHERE group, VALUES blocks from RDF terms, SERVICE calls, prefixes.

Text is read as tokens, not searched with patterns, so that a brace, keyword or prefixed name
inside a string, an IRI or a comment is never taken for part of the query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import pyoxigraph as ox

from kg.errors import QueryError
from kg.namespaces import PREFIXES


# --- tokens and the parts of a query ------------------------------------------------

class Token(NamedTuple):
    """One token of SPARQL text: its kind (a group of the lexer), its text and its offsets."""

    kind: str
    text: str
    start: int
    end: int


_LEX = re.compile(r"""
   (?P<ws>\s+)
  |(?P<comment>\#[^\r\n]*)
  |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
             |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
  |(?P<var>[?$]\w+)
  |(?P<word>[\w:](?:[\w\-.:%]*[\w\-:%])?)
  |(?P<punct>.)
""", re.X | re.S)
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
VAR_NAME = re.compile(r"^[A-Za-z_]\w*$")


def tokens(text: str) -> list[Token]:
    """The tokens of SPARQL ``text`` that matter (no blanks or comments), with their offsets."""
    return [Token(m.lastgroup, m.group(), m.start(), m.end()) for m in _LEX.finditer(text)
            if m.lastgroup not in ("ws", "comment")]


def is_word(token: Token, *words: str) -> bool:
    return token.kind == "word" and token.text.upper() in words


def is_punct(token: Token, char: str) -> bool:
    return token.kind == "punct" and token.text == char


def _matching(code: list[Token], i: int, open_: str = "{", close: str = "}") -> int:
    depth = 0
    for j in range(i, len(code)):
        if is_punct(code[j], open_):
            depth += 1
        elif is_punct(code[j], close):
            depth -= 1
            if depth == 0:
                return j
    raise QueryError(f"malformed query: `{open_}` at offset {code[i].start} is never closed",
                     fix="check the SPARQL syntax")


def _form_index(code: list[Token]) -> int:
    for i, token in enumerate(code):
        if is_word(token, *FORMS):
            return i
        if is_word(token, *UPDATES):
            raise QueryError("this is an update, not a query: kg is read-only",
                             fix="send SELECT, ASK, CONSTRUCT or DESCRIBE")
    raise QueryError("malformed query: no SELECT, ASK, CONSTRUCT or DESCRIBE", fix="check the SPARQL syntax")


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE; an update or a text with none of them is an error."""
    code = tokens(text)
    return code[_form_index(code)].text.upper()


def dataset_clause(text: str) -> str | None:
    """The first ``FROM <iri>`` or ``FROM NAMED <iri>`` of ``text``, as written, or None."""
    code = tokens(text)
    for i, token in enumerate(code):
        if is_word(token, "FROM"):
            end = i + 1 + (i + 1 < len(code) and is_word(code[i + 1], "NAMED"))
            return " ".join(t.text for t in code[i:end + 1])
    return None


def _where_group(code: list[Token]) -> tuple[int, int] | None:
    """Indexes of the braces of the top-level WHERE group, or None (a DESCRIBE without one)."""
    form = _form_index(code)
    opens = [j for j in range(form, len(code)) if is_punct(code[j], "{")]
    if not opens:
        return None
    i = opens[0]
    if is_word(code[form], "CONSTRUCT") and not is_word(code[i - 1], "WHERE"):
        after = _matching(code, i)  # that was the template; the pattern is the next group
        i = next((j for j in range(after + 1, len(code)) if is_punct(code[j], "{")), None)
        if i is None:
            raise QueryError("malformed query: CONSTRUCT without a WHERE pattern", fix="check the SPARQL syntax")
    return i, _matching(code, i)


# --- VALUES blocks from RDF terms ---------------------------------------------------

def sparql_term(term) -> str:
    """An RDF term as SPARQL text, escaped (IRIs are validated when made, literals escaped as in N-Triples)."""
    if term is None:
        return "UNDEF"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return str(term)
    raise QueryError(f"cannot send {term} in a VALUES block", fix="blank nodes and triple terms cannot be bound")


def values_block(names: list[str], rows: list[Mapping[str, object]]) -> str:
    """``VALUES (?a ?b) { (… …) … }`` from RDF terms, never from text."""
    for name in names:
        if not VAR_NAME.match(name):
            raise QueryError(f"`{name}` cannot be a SPARQL variable name")
    head = " ".join(f"?{n}" for n in names)
    body = " ".join("(" + " ".join(sparql_term(row.get(n)) for n in names) + ")" for row in rows)
    return f"VALUES ({head}) {{ {body} }}"


def with_bindings(text: str, bindings: Mapping[str, object]) -> str:
    """``text`` with ``bindings`` (name → RDF term) as VALUES blocks opening its WHERE group (and
    each UNION branch in it that only matches the variables, see :func:`_union_branches`).

    At the head of the group the values join before any OPTIONAL, FILTER or aggregate of that
    group sees the variables (a VALUES clause after the query would join after GROUP BY). The
    terms are written by pyoxigraph, so no text given by a user is ever pasted into the query.
    """
    if not bindings:
        return text
    code = tokens(text)
    group = _where_group(code)
    if group is None:  # a DESCRIBE without a pattern: the one VALUES clause that may end a query
        return f"{text.rstrip()}\n{values_block(list(bindings), [bindings])}\n"
    # one block per variable: Virtuoso 7 mis-compiles a multi-variable row next to OPTIONAL
    block = "\n  ".join(values_block([name], [{name: term}]) for name, term in bindings.items())
    open_, close = group
    at = code[open_].end
    if is_word(code[open_ - 1], "WHERE") and is_word(code[open_ - 2], "CONSTRUCT"):
        # the short form takes triples only: write its template out, then bind in the pattern
        pattern = text[at:code[close].start]
        where = code[open_ - 1].start
        return f"{text[:where]}{{{pattern}}} WHERE {{\n  {block}\n{pattern}}}{text[code[close].end:]}"
    if is_word(code[open_ + 1], "SELECT"):  # the group is one sub-select: VALUES goes beside it
        end = code[close].start
        return f"{text[:at]} {block} {{{text[at:end]}}} {text[end:]}"
    # also at the head of each branch of a UNION in the group where the variables are only matched
    # by triple patterns: a join distributes over a union, and the store evaluates each branch
    # whole before joining the values with the union
    for offset in sorted(_union_branches(code, open_, close, set(bindings)), reverse=True):
        text = f"{text[:offset]}\n  {block}\n{text[offset:]}"
    return f"{text[:at]}\n  {block}\n{text[at:]}"


#: Where a variable is read rather than matched: a value joined in before them changes the answer
#: (an OPTIONAL that no longer leaves it unbound, a MINUS or NOT EXISTS that now removes, a BIND).
_READS = ("OPTIONAL", "MINUS", "EXISTS", "FILTER", "BIND", "SELECT", "SERVICE", "VALUES")


def _union_branches(code: list[Token], open_: int, close: int, names: set[str]) -> list[int]:
    """Offsets just inside the opening brace of each UNION branch directly in the group
    ``open_``…``close`` in which the variables ``names`` occur in triple patterns only (not in an
    OPTIONAL, MINUS, EXISTS, FILTER, BIND, sub-select, SERVICE or VALUES), where a join with their
    values gives the same answers inside the branch as after the union."""
    found = []
    j = open_ + 1
    while j < close:
        if is_punct(code[j], "{"):
            end = _matching(code, j)
            in_union = is_word(code[j - 1], "UNION") or (end + 1 < close and is_word(code[end + 1], "UNION"))
            if in_union and not is_word(code[j + 1], "SELECT") and not _reads(code, j + 1, end, names):
                found.append(code[j].end)
            j = end + 1
        else:
            j += 1
    return found


def _reads(code: list[Token], start: int, end: int, names: set[str]) -> bool:
    """Whether one of the variables ``names`` occurs in ``code[start:end]`` inside a construct of
    :data:`_READS` (its bracketed part)."""
    k = start
    while k < end:
        if is_word(code[k], *_READS):
            opener = next((i for i in range(k + 1, end) if is_punct(code[i], "{") or is_punct(code[i], "(")), None)
            if opener is None:
                return True  # malformed or unusual: leave the branch alone
            shut = _matching(code, opener, code[opener].text, "}" if code[opener].text == "{" else ")")
            if any(t.kind == "var" and t.text[1:] in names for t in code[k:shut + 1]):
                return True
            k = shut + 1
        else:
            k += 1
    return False


# --- prefixes and variables ---------------------------------------------------------

def prologue(text: str) -> str:
    """The BASE and PREFIX declarations of ``text``: all before its query form."""
    code = tokens(text)
    return text[:code[_form_index(code)].start]


def _prologue_prefixes(code: list[Token]) -> dict[str, str]:
    found = {}
    for i, token in enumerate(code[:-2]):
        if is_word(token, "PREFIX") and code[i + 1].kind == "word" and code[i + 2].kind == "iri":
            found[code[i + 1].text.rstrip(":")] = code[i + 2].text[1:-1]
    return found


def with_prefixes(text: str) -> str:
    """``text`` with PREFIX lines for the project's prefixes it uses without declaring (a store knows none)."""
    code = tokens(text)
    declared = _prologue_prefixes(code[:_form_index(code)])
    used = {t.text.split(":", 1)[0] for t in code if t.kind == "word" and ":" in t.text}
    lines = [f"PREFIX {p}: <{PREFIXES[p]}>" for p in sorted(used - set(declared)) if p in PREFIXES]
    return "\n".join(lines + [text]) if lines else text


def variables(text: str) -> list[str]:
    """The variable names of ``text`` in order of first use."""
    return list(dict.fromkeys(t.text[1:] for t in tokens(text) if t.kind == "var"))


# --- SERVICE calls -------------------------------------------------------------------

@dataclass(frozen=True)
class ServiceCall:
    """One ``SERVICE <iri> { … }`` of a query."""

    iri: str
    silent: bool
    start: int        # offset of the SERVICE keyword
    end: int          # offset after its closing brace
    pattern: str      # the text inside the braces
    left: str | None  # the WHERE group's text before the call (or the OPTIONAL or MINUS holding it)


def service_calls(text: str) -> list[ServiceCall]:
    """The SERVICE calls of ``text``, in order."""
    code = tokens(text)
    if not any(is_word(t, "SERVICE") for t in code):
        return []
    form = _form_index(code)
    prefixes = {k: str(v) for k, v in PREFIXES.items()} | _prologue_prefixes(code[:form])
    group = _where_group(code)
    calls = []
    for i, token in enumerate(code):
        if not is_word(token, "SERVICE"):
            continue
        j = i + 1
        silent = j < len(code) and is_word(code[j], "SILENT")
        j += silent
        if j >= len(code):
            raise QueryError("malformed query: SERVICE without an endpoint", fix="check the SPARQL syntax")
        target = code[j]
        if target.kind == "iri":
            iri = target.text[1:-1]
        elif target.kind == "word" and ":" in target.text and target.text.split(":", 1)[0] in prefixes:
            pfx, local = target.text.split(":", 1)
            iri = prefixes[pfx] + local
        else:
            raise QueryError(f"SERVICE {target.text}: only a fixed endpoint IRI can be called",
                             fix="write SERVICE <http://…> with the endpoint's IRI")
        open_ = j + 1
        if open_ >= len(code) or not is_punct(code[open_], "{"):
            raise QueryError("malformed query: SERVICE without a { pattern }", fix="check the SPARQL syntax")
        close = _matching(code, open_)
        left = None
        stack = _enclosing(code, i)
        if group and stack == [group[0]]:
            left = text[code[group[0]].end:token.start]
        elif (group and len(stack) == 2 and stack[0] == group[0] and is_word(code[stack[1] - 1], "OPTIONAL", "MINUS")
              and not is_word(code[stack[1] + 1], "SELECT")):
            left = text[code[group[0]].end:code[stack[1] - 1].start]
        calls.append(ServiceCall(iri, bool(silent), token.start, code[close].end,
                                 text[code[open_].end:code[close].start], left))
    return calls


def _enclosing(code: list[Token], i: int) -> list[int]:
    """The indexes of the open braces around token ``i``, outermost first."""
    stack = []
    for j in range(i):
        if is_punct(code[j], "{"):
            stack.append(j)
        elif is_punct(code[j], "}") and stack:
            stack.pop()
    return stack


def without_filters(text: str) -> str:
    """``text`` (part of a group) without its own FILTERs: they may name variables bound later in the group."""
    code = tokens(text)
    cut, depth, i = [], 0, 0
    while i < len(code):
        token = code[i]
        if is_punct(token, "{"):
            depth += 1
        elif is_punct(token, "}"):
            depth -= 1
        elif depth == 0 and is_word(token, "FILTER") and i + 1 < len(code):
            j = i + 1
            if is_word(code[j], "NOT"):
                j += 1
            if is_word(code[j], "EXISTS") and j + 1 < len(code):
                end = _matching(code, j + 1)
            elif is_punct(code[j], "("):
                end = _matching(code, j, "(", ")")
            else:  # a function call: name (args)
                end = _matching(code, j + 1, "(", ")")
            cut.append((token.start, code[end].end))
            i = end + 1
            continue
        i += 1
    for start, end in reversed(cut):
        text = text[:start] + " " + text[end:]
    return text
