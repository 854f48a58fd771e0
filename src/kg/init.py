"""``kg init``: a new municipality's folder in data/, from its local government code.

What the code determines is written (check digit, 法人番号, prefecture, e-Stat area); the names are
taken as given and never guessed, and everything that still needs checking goes to the city's
``open-questions.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.build import write_atomically
from kg.errors import LoadError, Location
from kg.identifiers import (
    estat_area_iri,
    is_valid_local_government_code,
    local_government_check_digit,
    local_government_corporate_number,
)
from kg.importer.write import yaml_text
from kg.load import DATA_SUFFIXES, data_files, load_paths
from kg.namespaces import DEFAULT_BASE, valid_slug

#: Prefecture codes (JIS X 0401, the first two digits of every local government code) → names (ja, en).
PREFECTURES = {
    "01": ("北海道", "Hokkaido"),
    "02": ("青森県", "Aomori Prefecture"),
    "03": ("岩手県", "Iwate Prefecture"),
    "04": ("宮城県", "Miyagi Prefecture"),
    "05": ("秋田県", "Akita Prefecture"),
    "06": ("山形県", "Yamagata Prefecture"),
    "07": ("福島県", "Fukushima Prefecture"),
    "08": ("茨城県", "Ibaraki Prefecture"),
    "09": ("栃木県", "Tochigi Prefecture"),
    "10": ("群馬県", "Gunma Prefecture"),
    "11": ("埼玉県", "Saitama Prefecture"),
    "12": ("千葉県", "Chiba Prefecture"),
    "13": ("東京都", "Tokyo Metropolis"),
    "14": ("神奈川県", "Kanagawa Prefecture"),
    "15": ("新潟県", "Niigata Prefecture"),
    "16": ("富山県", "Toyama Prefecture"),
    "17": ("石川県", "Ishikawa Prefecture"),
    "18": ("福井県", "Fukui Prefecture"),
    "19": ("山梨県", "Yamanashi Prefecture"),
    "20": ("長野県", "Nagano Prefecture"),
    "21": ("岐阜県", "Gifu Prefecture"),
    "22": ("静岡県", "Shizuoka Prefecture"),
    "23": ("愛知県", "Aichi Prefecture"),
    "24": ("三重県", "Mie Prefecture"),
    "25": ("滋賀県", "Shiga Prefecture"),
    "26": ("京都府", "Kyoto Prefecture"),
    "27": ("大阪府", "Osaka Prefecture"),
    "28": ("兵庫県", "Hyogo Prefecture"),
    "29": ("奈良県", "Nara Prefecture"),
    "30": ("和歌山県", "Wakayama Prefecture"),
    "31": ("鳥取県", "Tottori Prefecture"),
    "32": ("島根県", "Shimane Prefecture"),
    "33": ("岡山県", "Okayama Prefecture"),
    "34": ("広島県", "Hiroshima Prefecture"),
    "35": ("山口県", "Yamaguchi Prefecture"),
    "36": ("徳島県", "Tokushima Prefecture"),
    "37": ("香川県", "Kagawa Prefecture"),
    "38": ("愛媛県", "Ehime Prefecture"),
    "39": ("高知県", "Kochi Prefecture"),
    "40": ("福岡県", "Fukuoka Prefecture"),
    "41": ("佐賀県", "Saga Prefecture"),
    "42": ("長崎県", "Nagasaki Prefecture"),
    "43": ("熊本県", "Kumamoto Prefecture"),
    "44": ("大分県", "Oita Prefecture"),
    "45": ("宮崎県", "Miyazaki Prefecture"),
    "46": ("鹿児島県", "Kagoshima Prefecture"),
    "47": ("沖縄県", "Okinawa Prefecture"),
}

PLANS_TEMPLATE = """\
# The plans of {name} (one entry per plan generation). Fill in and remove the leading "# ".
# Then `kg import TABLE --plan PLAN-SLUG` turns the plan's published measure table into
# PLAN-SLUG.measures.csv beside this file. data/README.md lists every term.
#
# - id: plan/{slug}-it-plan-1
#   type: Plan
#   label: {{ja: （計画の正式名称）, en: (the plan's title in English)}}
#   publisher: org/{code}
#   issued: 令和4年3月
#   periodStart: 令和4年度
#   periodEnd: 令和8年度
#   ordinal: 1
#   basedOn: [law/428AC1000000103]   # 官民データ活用推進基本法, where the plan says it is based on it
#   derivedFrom: source/{slug}-…     # the passage of the plan that says this (see sources.yaml)
"""


@dataclass
class InitResult:
    """The folder written and the questions left open."""

    folder: Path
    files: list[str]
    questions: int


def check_code(code: str) -> str:
    """``code`` as a valid 6-digit local government code, or a LoadError naming the fix."""
    where = Location("--code")
    text = code.strip()
    if len(text) == 5 and text.isascii() and text.isdigit():
        raise LoadError(f"`{text}` is the 5-digit form of the code", where,
                        f"pass the 6-digit code with its check digit: {text}{local_government_check_digit(text)}")
    if not (len(text) == 6 and text.isascii() and text.isdigit()):
        raise LoadError(f"`{text}` is not a local government code", where,
                        "pass the 6-digit 全国地方公共団体コード with its check digit, e.g. 141305")
    if not is_valid_local_government_code(text):
        right = text[:5] + local_government_check_digit(text[:5])
        raise LoadError(f"the check digit of `{text}` is wrong (for {text[:5]} it is {right[-1]})", where,
                        f"check the code against the 総務省 list; if {text[:5]} is right, pass {right}")
    if text[:2] not in PREFECTURES:
        raise LoadError(f"`{text}` starts with {text[:2]}, which is no prefecture code", where,
                        "the first two digits are the prefecture (01 北海道 … 47 沖縄県)")
    return text


def init_city(data_dir: Path, code: str, slug: str | None = None, name_ja: str | None = None,
              name_en: str | None = None) -> InitResult:
    """Write ``data_dir/SLUG/`` for the local government ``code``; refuse to overwrite a folder or a city."""
    code = check_code(code)
    defined = defined_ids(data_dir)
    slug = slug or f"city-{code}"
    if not valid_slug("plan", slug):
        raise LoadError(f"`{slug}` is not a usable folder and id slug", Location("--slug"),
                        "use lowercase ASCII letters, digits and hyphens, e.g. kawasaki")
    folder = data_dir / slug
    if folder.exists():
        raise LoadError("this folder exists already", Location(str(folder)),
                        "choose another --slug, or edit the files in it")
    if f"org/{code}" in defined:
        raise LoadError(f"org/{code} is defined already", Location("--code"),
                        "each local government is defined once: edit its existing folder")
    pref, pref_en = PREFECTURES[code[:2]]
    pref_code = code[:2] + "000"
    pref_id = f"org/{pref_code}{local_government_check_digit(pref_code)}"
    corporate = local_government_corporate_number(code)
    source_doc, passage = f"source/{slug}-lg-code-list", f"source/{slug}-lg-code-list-{code}"
    city: dict = {"id": f"org/{code}", "type": "LocalGovernment"}
    questions = []
    if name_ja and name_en:
        city["label"] = {"ja": name_ja, "en": name_en}
    questions.append({
        "about": f"org/{code}", "property": "label", "candidate": name_ja,
        "question": (f"Is {name_ja or '(no name given)'} the name of local government {code} in the 総務省 list "
                     "(全国地方公共団体コード)? Names are taken as given, never looked up."),
        "searched": "Nothing: written by kg init from the name passed on the command line."})
    if not (name_ja and name_en):
        questions[-1]["question"] += " The label is missing: add `label: {ja: …, en: …}` to city.yaml."
    city.update({
        "description": {"ja": f"{pref}の地方公共団体（団体コード {code}）。",
                        "en": f"A local government in {pref_en} (local government code {code})."},
        "localGovernmentCode": code,
        "corporateNumber": corporate,
        "editorialNote": {
            "ja": f"法人番号は地方公共団体の規則（検査数字＋000020＋団体コード）から算出した。都道府県（{pref}）は団体コードの上2桁による。",
            "en": f"The corporate number follows the rule for local governments (check digit + 000020 + code); "
                  f"the prefecture ({pref_en}) follows from the code's first two digits."},
        "spatial": str(estat_area_iri(code)),
    })
    if pref_id in defined:
        city["isPartOf"] = pref_id
    else:
        questions.append({
            "about": f"org/{code}", "property": "isPartOf", "candidate": pref_id,
            "question": f"Link the city to its prefecture {pref} ({pref_id}) once that organisation is in the graph.",
            "searched": "The project defines no resource for this prefecture."})
    questions.append({
        "about": f"org/{code}", "property": "corporateNumber", "candidate": corporate,
        "question": "Does the 国税庁 法人番号公表サイト list this corporate number for the city?",
        "searched": "Derived by the local-government rule; not looked up."})
    questions.append({
        "about": f"org/{code}", "property": "sameAs", "candidate": None,
        "question": "Which Wikidata item is this local government?", "searched": "Not yet checked."})
    city["derivedFrom"] = passage
    sources = [
        {"id": source_doc, "type": "SourceDocument",
         "label": {"ja": "全国地方公共団体コード（総務省）", "en": "Local government codes (Ministry of Internal Affairs and Communications)"}},
        {"id": passage, "type": "SourcePassage", "section": code, "isPartOf": source_doc,
         "label": {"ja": f"団体コード {code}", "en": f"Local government code {code}"}},
    ]
    name = name_ja or code
    files = {
        "city.yaml": _yaml(f"# {name}: the local government (written by kg init; names as given, see open-questions.yaml).",
                           [city]),
        "sources.yaml": _yaml(f"# Sources of data/{slug}: add one passage per section of each plan you cite.", sources),
        "plans.yaml": PLANS_TEMPLATE.format(name=name, slug=slug, code=code).encode("utf-8"),
        "open-questions.yaml": _yaml(
            f"# Open questions for data/{slug}: facts that could not be verified and so are NOT in the graph.\n"
            "# Not a list of resources: the loader skips this file.", questions),
    }
    write_atomically(folder, files)
    return InitResult(folder, sorted(files), len(questions))


def defined_ids(data_dir: Path) -> set[str]:
    """The ``KIND/SLUG`` ids the YAML files of ``data_dir`` define."""
    loaded = load_paths([p for p in data_files(data_dir) if p.name.endswith(DATA_SUFFIXES)])
    return {str(node)[len(DEFAULT_BASE):] for node in loaded.index.nodes if str(node).startswith(DEFAULT_BASE)}


def _yaml(comment: str, entries: list[dict]) -> bytes:
    return f"{comment}\n{yaml_text(entries)}".encode("utf-8")
