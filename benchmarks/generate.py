"""Synthetic corpora that follow the data-model contract, for benchmarks and validator tests.

Each municipality is a local government with a valid 6-digit local government code and
法人番号 (check digits computed by ``kg.identifiers``), one source document with five
passages, five IT promotion plans of 18-22 measures each, eight information systems,
a local business area, two observations and an event. A small national part (concept
schemes, the 20 standardised business areas, technologies, use cases, laws, a policy,
indicators) is written once. Labels are Japanese and English, descriptions Japanese and
English; the triples the build's rules derive (``skos:prefLabel``, ``skos:hasTopConcept``)
are written too, so a corpus validates on its own against ``shapes/``.

The output is N-Triples, written line by line without building a graph. The same
``--seed`` gives the same bytes. ``--faults K`` injects K known faults of several kinds
on distinct resources and writes the expected findings (focus, kind, path, constraint
component, severity) to ``FILE.faults.json``.

    python benchmarks/generate.py --municipalities 540 --out corpus-1m.nt
    python benchmarks/generate.py --municipalities 3 --out small.nt --faults 19 --seed 7
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

try:
    from kg import identifiers
except ImportError:  # run from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from kg import identifiers

BASE = "https://w3id.org/lgdx/id/"
LGDX = "https://w3id.org/lgdx/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
ELI = "http://data.europa.eu/eli/ontology#"
UNIT = "http://qudt.org/vocab/unit/"
ESTAT = "http://data.e-stat.go.jp/lod/sac/C"
EGOV = "https://laws.e-gov.go.jp/law/"

LABEL, PREF, DESC, DEF = RDFS + "label", SKOS + "prefLabel", DCT + "description", SKOS + "definition"
IDENT, DERIVED = DCT + "identifier", PROV + "wasDerivedFrom"
IN_SCHEME, TOP_OF, HAS_TOP, NOTATION = (SKOS + "inScheme", SKOS + "topConceptOf",
                                        SKOS + "hasTopConcept", SKOS + "notation")

#: Fault kinds, in the order ``--faults`` cycles through them, with what each must cause:
#: (path, constraint component as reports compact it, severity).
FAULT_KINDS: dict[str, tuple[str, str, str]] = {
    "missing-en-label": (LABEL, "sh:QualifiedMinCountConstraintComponent", "Violation"),
    "duplicate-item-number": (LGDX + "itemNumber", "sh:SPARQLConstraintComponent", "Violation"),
    "status-not-in-list": (LGDX + "achievementStatus", "sh:InConstraintComponent", "Violation"),
    "dangling-reference": (LGDX + "concernsSystem", "sh:SPARQLConstraintComponent", "Violation"),
    "bad-datatype": (LGDX + "value", "sh:DatatypeConstraintComponent", "Violation"),
    "bad-local-government-check-digit": (LGDX + "localGovernmentCode", "kg:CheckDigit", "Violation"),
    "item-number-not-positive-integer": (LGDX + "itemNumber", "sh:DatatypeConstraintComponent", "Violation"),
    "ill-typed-date": (LGDX + "observedOn", "sh:OrConstraintComponent", "Violation"),
    "bad-corporate-number-check-digit": (LGDX + "corporateNumber", "kg:CheckDigit", "Violation"),
    "period-start-after-end": (LGDX + "periodStart", "sh:LessThanOrEqualsConstraintComponent", "Violation"),
    "achievement-rate-out-of-range": (LGDX + "achievementRate", "sh:MaxInclusiveConstraintComponent", "Violation"),
    "label-double-space": (LABEL, "sh:PatternConstraintComponent", "Violation"),
    "missing-source": (DERIVED, "sh:MinCountConstraintComponent", "Violation"),
    "identifier-not-slug": (IDENT, "sh:SPARQLConstraintComponent", "Violation"),
    "progress-note-not-japanese": (LGDX + "progressNote", "sh:LanguageInConstraintComponent", "Violation"),
    "unit-as-text": (LGDX + "unit", "sh:NodeKindConstraintComponent", "Violation"),
    "part-of-not-a-plan": (LGDX + "partOf", "sh:ClassConstraintComponent", "Violation"),
    "two-japanese-labels": (LABEL, "sh:UniqueLangConstraintComponent", "Violation"),
    "spaced-out-letters": (LABEL, "sh:NotConstraintComponent", "Warning"),
}

# --- text material ------------------------------------------------------------

KANJI = [("東", "higashi"), ("西", "nishi"), ("南", "minami"), ("北", "kita"), ("大", "o"),
         ("小", "ko"), ("山", "yama"), ("川", "kawa"), ("田", "ta"), ("野", "no"), ("原", "hara"),
         ("島", "shima"), ("橋", "hashi"), ("本", "moto"), ("松", "matsu"), ("竹", "take"),
         ("桜", "sakura"), ("森", "mori"), ("石", "ishi"), ("岡", "oka"), ("宮", "miya"),
         ("井", "i"), ("沢", "sawa"), ("浜", "hama")]
KANSUJI = ["一", "二", "三", "四", "五"]
ORDINAL_EN = ["First", "Second", "Third", "Fourth", "Fifth"]

# (slug, Japanese, English) of the systems each municipality runs.
SYSTEMS = [
    ("core-systems", "基幹系システム", "Core systems"),
    ("financial-accounting", "財務会計システム", "Financial accounting system"),
    ("document-management", "文書管理システム", "Document management system"),
    ("groupware", "グループウェア", "Groupware"),
    ("online-application", "電子申請システム", "Online application system"),
    ("website", "市公式ホームページ", "City website"),
    ("integrated-welfare", "福祉総合システム", "Integrated welfare system"),
    ("internal-network", "庁内ネットワーク", "Internal network"),
]
# What a measure does to a system: (Japanese, English label pattern, Japanese description).
ACTIONS = [
    ("の導入", "Introduction of the {}", "を導入し、業務の効率化と市民サービスの向上を図る。"),
    ("の更新", "Renewal of the {}", "を更新し、安定した運用を確保する。"),
    ("のクラウド化", "Moving the {} to the cloud", "をクラウドへ移行し、運用経費の削減を図る。"),
    ("の標準化対応", "Standardisation of the {}", "を国の標準仕様に準拠したシステムへ移行する。"),
    ("の利用促進", "Wider use of the {}", "の利用を庁内で促進し、ペーパーレス化を進める。"),
    ("のセキュリティ強化", "Stronger security for the {}", "の情報セキュリティ対策を強化する。"),
    ("の機能拡充の検討", "Study of extending the {}", "の機能拡充について、市民意見を取り入れて検討する。"),
]
NOTES = ["他自治体の導入事例を調査した。", "導入費用の見積りを取得した。", "庁内の検討会を開催した。",
         "職員向けの研修を実施した。", "運用手順を見直した。", "市報及びホームページで周知を行った。"]

# The 20 standardised business areas (標準化対象20業務): slug, Japanese, English.
STANDARD_AREAS = [
    ("resident-register", "住民基本台帳", "Basic resident register"),
    ("election-register", "選挙人名簿管理", "Electoral register"),
    ("fixed-asset-tax", "固定資産税", "Fixed asset tax"),
    ("individual-resident-tax", "個人住民税", "Individual resident tax"),
    ("corporate-resident-tax", "法人住民税", "Corporate resident tax"),
    ("light-vehicle-tax", "軽自動車税", "Light vehicle tax"),
    ("family-register", "戸籍", "Family register"),
    ("family-register-attachment", "戸籍の附票", "Family register attachment"),
    ("seal-registration", "印鑑登録", "Seal registration"),
    ("national-health-insurance", "国民健康保険", "National health insurance"),
    ("national-pension", "国民年金", "National pension"),
    ("disability-welfare", "障害者福祉", "Disability welfare"),
    ("late-elderly-medical-care", "後期高齢者医療", "Medical care for the late elderly"),
    ("long-term-care-insurance", "介護保険", "Long-term care insurance"),
    ("child-allowance", "児童手当", "Child allowance"),
    ("public-assistance", "生活保護", "Public assistance"),
    ("health-promotion", "健康管理", "Health management"),
    ("school-enrollment", "就学", "School enrolment"),
    ("child-rearing-allowance", "児童扶養手当", "Child-rearing allowance"),
    ("child-and-childcare-support", "子ども・子育て支援", "Child and childcare support"),
]
TECHNOLOGIES = [
    ("ai", "AI", "AI", "人工知能。言語や画像などのデータを基に判断・分析・予測するコンピュータ技術。",
     "問い合わせ対応", "Answering inquiries"),
    ("rpa", "RPA", "RPA", "パソコン上の定型作業をソフトウェアのロボットが自動で行う技術。",
     "定型業務の自動化", "Automating routine work"),
    ("iot", "IoT", "IoT", "様々なモノがインターネットにつながり、情報をやり取りする仕組み。",
     "インフラの遠隔監視", "Remote monitoring of infrastructure"),
    ("cloud", "クラウド", "Cloud computing", "ネットワーク経由で情報システムの資源を利用する形態。",
     "基幹系システムの共同利用", "Shared use of core systems"),
    ("5g", "5G", "5G", "高速大容量・低遅延・多数同時接続を特徴とする第5世代移動通信システム。",
     "高精細映像による遠隔支援", "Remote support with high-definition video"),
    ("drone", "ドローン", "Drones", "遠隔操作や自動制御で飛行できる無人航空機。",
     "災害状況の把握", "Assessing disaster damage"),
    ("blockchain", "ブロックチェーン", "Blockchain", "取引記録を分散して保持し改ざんを困難にする技術。",
     "証明書の真正性確認", "Verifying certificates"),
    ("ocr", "OCR", "OCR", "紙の文字を読み取り電子データに変換する技術。",
     "申請書の読み取り", "Reading application forms"),
    ("chatbot", "チャットボット", "Chatbots", "利用者の質問に自動で応答する対話型のプログラム。",
     "窓口案内の自動応答", "Automated counter guidance"),
    ("online-meeting", "オンライン会議システム", "Online meeting systems",
     "離れた場所にいる人と映像と音声でやり取りするシステム。", "庁内会議のオンライン化", "Holding meetings online"),
]
SCHEMES = {
    "goal-type": ("取組目標の種別", "Goal type", [
        ("goal-type-study", "study", "検討", "Study"),
        ("goal-type-implementation", "implementation", "実施", "Implementation")]),
    "achievement-status": ("達成状況", "Achievement status", [
        ("achievement-status-achieved", "achieved", "達成", "Achieved"),
        ("achievement-status-partially-achieved", "partially-achieved", "一部達成", "Partially achieved"),
        ("achievement-status-not-achieved", "not-achieved", "未達成", "Not achieved")]),
    "direction": ("今後の方向性", "Future direction", [
        ("direction-continue", "continue", "継続", "Continue"),
        ("direction-completed", "completed", "取組終了", "Completed")]),
}
INDICATORS = [("my-number-card-issuance-rate", "マイナンバーカード交付率", "My Number Card issuance rate"),
              ("online-procedure-rate", "オンライン手続の割合", "Share of procedures online")]
LAWS = [("428AC1000000103", "官民データ活用推進基本法", "Basic Act on the Advancement of Public and Private Sector Data Utilization",
         "平成28年法律第103号"),
        ("503AC0000000040", "地方公共団体情報システムの標準化に関する法律",
         "Act on the Standardization of Local Government Information Systems", "令和3年法律第40号")]


# --- writing ------------------------------------------------------------------

def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


class Writer:
    """N-Triples lines, buffered and written in blocks."""

    def __init__(self, out):
        self.out = out
        self.lines: list[str] = []
        self.count = 0

    def iri(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"<{s}> <{p}> <{o}> .\n")

    def lit(self, s: str, p: str, text: str, lang: str | None = None, dt: str | None = None) -> None:
        tail = f"@{lang}" if lang else (f"^^<{dt}>" if dt else "")
        self.lines.append(f'<{s}> <{p}> "{_esc(text)}"{tail} .\n')

    def flush(self) -> None:
        self.count += len(self.lines)
        self.out.write("".join(self.lines))
        self.lines.clear()


def _id(kind: str, slug: str) -> str:
    return f"{BASE}{kind}/{slug}"


# --- faults -------------------------------------------------------------------

@dataclass(frozen=True)
class Fault:
    kind: str
    focus: str


class FaultPlan:
    """Which resource gets which fault; chosen before writing so the output is one stream."""

    def __init__(self, count: int, municipalities: int, seed: int):
        self.by_focus: dict[str, str] = {}
        self.municipal: dict[int, str] = {}  # municipality index → fault of its codes
        self.expected: list[dict] = []
        rng = random.Random(f"faults-{seed}")
        used: set[tuple] = set()
        placed: list[tuple[str, tuple]] = []
        kinds = list(FAULT_KINDS)
        for n in range(max(count, 0)):
            kind = kinds[n % len(kinds)]
            for _ in range(10_000):
                target = _pick(kind, rng, municipalities)
                keys = {(_GROUPS.get(kind, "measure"), *target)}
                if kind == "duplicate-item-number":  # the measure numbered j-1 is involved too
                    keys.add(("measure", target[0], target[1], target[2] - 1))
                if not keys & used:
                    break
            else:
                raise SystemExit(f"cannot place {count} faults in {municipalities} municipalities: "
                                 "use more municipalities or fewer faults")
            used |= keys
            placed.append((kind, target))
            if _GROUPS.get(kind) == "lg":
                self.municipal[target[0]] = kind
        for kind, target in placed:  # IRIs follow a municipality's (possibly faulty) code
            m = Municipality(target[0], seed, self.municipal.get(target[0]))
            group = _GROUPS.get(kind, "measure")
            focus = {"lg": lambda: m.org(), "observation": lambda: m.observation(target[1]),
                     "system": lambda: m.system(target[1]), "plan": lambda: m.plan(target[1]),
                     "measure": lambda: m.measure(target[1], target[2])}[group]()
            if group != "lg":
                self.by_focus[focus] = kind
            path, constraint, severity = FAULT_KINDS[kind]
            self.expected.append(_expect(kind, focus, path, constraint, severity))
            if kind == "duplicate-item-number":  # the other measure with that number sees it too
                other = m.measure(target[1], target[2] - 1)
                self.expected.append(_expect(kind, other, path, constraint, severity))
            elif kind == "dangling-reference":  # the reference also fails sh:class
                self.expected.append(_expect(kind, focus, path, "sh:ClassConstraintComponent", severity))


#: The kind of resource each fault is put on (measures when not listed).
_GROUPS = {
    "bad-local-government-check-digit": "lg", "bad-corporate-number-check-digit": "lg",
    "bad-datatype": "observation", "ill-typed-date": "observation", "unit-as-text": "observation",
    "missing-source": "system", "spaced-out-letters": "system",
    "period-start-after-end": "plan", "achievement-rate-out-of-range": "plan",
}


def _pick(kind: str, rng: random.Random, n: int) -> tuple:
    i = rng.randrange(n)
    group = _GROUPS.get(kind, "measure")
    if group == "lg":
        return (i,)
    if group == "observation":
        return (i, rng.randrange(len(INDICATORS)))
    if group == "system":
        return (i, rng.randrange(len(SYSTEMS)))
    if group == "plan":
        return (i, rng.randrange(1, 5))
    # a measure of plans 1-4 (every column filled); every plan has at least 18 items
    return (i, rng.randrange(1, 5), rng.randrange(2, 19))


def _expect(kind, focus, path, constraint, severity) -> dict:
    return {"kind": kind, "focus": focus, "path": path, "constraint": constraint, "severity": severity}


# --- the corpus ---------------------------------------------------------------

class Municipality:
    """The names and IRIs of municipality number ``index``."""

    def __init__(self, index: int, seed: int, code_fault: str | None = None):
        self.index = index
        pref, number = 1 + index % 47, 201 + index // 47
        if number > 999:
            raise SystemExit("at most 37,553 municipalities")
        code5 = f"{pref:02d}{number:03d}"
        check = identifiers.local_government_check_digit(code5)
        if code_fault == "bad-local-government-check-digit":
            check = str((int(check) + 1) % 10)
        self.code = code5 + check
        base12 = "000020" + self.code
        corporate = identifiers.corporate_number_check_digit(base12)
        if code_fault == "bad-corporate-number-check-digit":
            corporate = str((int(corporate) % 9) + 1)
        self.corporate = corporate + base12
        n = len(KANJI)
        if index < n * n:  # two kanji for the first 576 names, three after
            digits = [index // n, index % n]
        else:
            rest = index - n * n
            digits = [rest // (n * n) % n, rest // n % n, rest % n]
        self.name_ja = "".join(KANJI[d][0] for d in digits)
        romaji = "".join(KANJI[d][1] for d in digits)
        self.name_en = romaji.capitalize()
        self.slug = f"{romaji}-{self.code}"
        self.rng = random.Random(f"{seed}-{index}")

    def org(self) -> str:
        return _id("org", self.code)

    def plan(self, k: int) -> str:
        return _id("plan", f"{self.slug}-it-plan-{k}")

    def measure(self, k: int, j: int) -> str:
        return _id("measure", f"{self.slug}-it-plan-{k}-{j:02d}")

    def system(self, s: int) -> str:
        return _id("system", f"{self.slug}-{SYSTEMS[s][0]}")

    def observation(self, n: int) -> str:
        return _id("observation", f"{self.slug}-{INDICATORS[n][0]}-2022")

    def source(self, n: int | None = None) -> str:
        return _id("source", f"{self.slug}-it-plan-5" + (f"-s{n}" if n else ""))


def write_vocabulary(w: Writer) -> None:
    """The national part: schemes, standard business areas, technologies, laws, indicators."""
    src_doc = _id("source", "national-digital-policy")
    w.iri(src_doc, RDF_TYPE, LGDX + "SourceDocument")
    w.lit(src_doc, IDENT, "national-digital-policy")
    w.lit(src_doc, LABEL, "国の情報化政策の動向", "ja")
    w.lit(src_doc, LABEL, "National digital policy trends", "en")
    passages = []
    for n, (ja, en) in enumerate([("国の最新戦略", "The latest national strategy"),
                                  ("情報技術の動向", "Trends in information technology"),
                                  ("標準化", "Standardisation")], 1):
        p = _id("source", f"national-digital-policy-s{n}")
        passages.append(p)
        w.iri(p, RDF_TYPE, LGDX + "SourcePassage")
        w.lit(p, IDENT, f"national-digital-policy-s{n}")
        w.iri(p, DCT + "isPartOf", src_doc)
        w.lit(p, LGDX + "section", f"1-({n})")
        w.lit(p, LABEL, f"({n}) {ja}", "ja")
        w.lit(p, LABEL, f"({n}) {en}", "en")

    for scheme, (ja, en, concepts) in SCHEMES.items():
        s = _id("scheme", scheme)
        w.iri(s, RDF_TYPE, SKOS + "ConceptScheme")
        w.lit(s, IDENT, scheme)
        w.lit(s, LABEL, ja, "ja")
        w.lit(s, LABEL, en, "en")
        w.lit(s, DESC, f"個別計画の{ja}。", "ja")
        for slug, notation, cja, cen in concepts:
            c = _id("concept", slug)
            w.iri(c, RDF_TYPE, SKOS + "Concept")
            w.lit(c, IDENT, slug)
            w.iri(c, IN_SCHEME, s)
            w.iri(c, TOP_OF, s)
            w.iri(s, HAS_TOP, c)
            w.lit(c, NOTATION, notation)
            for p in (LABEL, PREF):
                w.lit(c, p, cja, "ja")
                w.lit(c, p, cen, "en")

    std = _id("scheme", "standard-business-areas")
    w.iri(std, RDF_TYPE, SKOS + "ConceptScheme")
    w.lit(std, IDENT, "standard-business-areas")
    w.lit(std, LABEL, "標準化対象20業務", "ja")
    w.lit(std, LABEL, "The 20 standardised local-government business areas", "en")
    w.iri(std, RDFS + "seeAlso", EGOV + "503AC0000000040")
    for slug, ja, en in STANDARD_AREAS:
        a = _id("business-area", f"std-{slug}")
        w.iri(a, RDF_TYPE, LGDX + "BusinessArea")
        w.lit(a, IDENT, f"std-{slug}")
        w.iri(a, IN_SCHEME, std)
        w.iri(a, TOP_OF, std)
        w.iri(std, HAS_TOP, a)
        w.lit(a, NOTATION, slug)
        for p in (LABEL, PREF):
            w.lit(a, p, ja, "ja")
            w.lit(a, p, en, "en")

    techs = _id("scheme", "technologies")
    w.iri(techs, RDF_TYPE, SKOS + "ConceptScheme")
    w.lit(techs, IDENT, "technologies")
    w.lit(techs, LABEL, "情報技術", "ja")
    w.lit(techs, LABEL, "Information technologies", "en")
    w.iri(techs, DERIVED, passages[1])
    for slug, ja, en, definition, use_ja, use_en in TECHNOLOGIES:
        t, u = _id("technology", slug), _id("usecase", f"{slug}-public-sector")
        w.iri(t, RDF_TYPE, LGDX + "Technology")
        w.lit(t, IDENT, slug)
        w.iri(t, IN_SCHEME, techs)
        w.iri(t, TOP_OF, techs)
        w.iri(techs, HAS_TOP, t)
        for p in (LABEL, PREF):
            w.lit(t, p, ja, "ja")
            w.lit(t, p, en, "en")
        w.lit(t, DEF, definition, "ja")
        w.lit(t, DESC, f"行政分野では{use_ja}などに活用される。", "ja")
        w.lit(t, DESC, f"Used in public administration for tasks such as: {use_en.lower()}.", "en")
        w.iri(t, LGDX + "hasUseCase", u)
        w.iri(t, DERIVED, passages[1])
        w.iri(u, RDF_TYPE, LGDX + "UseCase")
        w.lit(u, IDENT, f"{slug}-public-sector")
        w.lit(u, LABEL, f"{ja}による{use_ja}", "ja")
        w.lit(u, LABEL, f"{use_en} with {en}", "en")
        w.lit(u, DESC, f"{ja}を{use_ja}に活用する。", "ja")
        w.iri(u, DERIVED, passages[1])

    agency = _id("org", "ministry-of-internal-affairs")
    w.iri(agency, RDF_TYPE, LGDX + "Organization")
    w.lit(agency, IDENT, "ministry-of-internal-affairs")
    w.lit(agency, LABEL, "総務省", "ja")
    w.lit(agency, LABEL, "Ministry of Internal Affairs and Communications", "en")
    w.lit(agency, DESC, "地方公共団体の情報化を所管する国の行政機関。", "ja")
    w.iri(agency, DERIVED, passages[0])
    for law_id, ja, en, number in LAWS:
        law = _id("law", law_id)
        w.iri(law, RDF_TYPE, LGDX + "Law")
        w.lit(law, IDENT, law_id)
        w.lit(law, LABEL, ja, "ja")
        w.lit(law, LABEL, en, "en")
        w.lit(law, DESC, f"{ja}（{number}）。", "ja")
        w.lit(law, LGDX + "lawNumber", number)
        w.lit(law, LGDX + "eGovLawId", law_id)
        w.iri(law, RDFS + "seeAlso", EGOV + law_id)
        w.iri(law, DERIVED, passages[2] if law_id.startswith("503") else passages[0])
    policy = _id("policy", "municipal-dx-promotion-plan")
    w.iri(policy, RDF_TYPE, LGDX + "Policy")
    w.lit(policy, IDENT, "municipal-dx-promotion-plan")
    w.lit(policy, LABEL, "自治体DX推進計画", "ja")
    w.lit(policy, LABEL, "Municipal DX Promotion Plan", "en")
    w.lit(policy, DESC, "自治体が重点的に取り組むべき事項を定めた計画。", "ja")
    w.lit(policy, DESC, "The plan setting out what local governments should focus on.", "en")
    w.iri(policy, DCT + "publisher", agency)
    w.lit(policy, DCT + "issued", "2020-12-25", dt=XSD + "date")
    w.iri(policy, LGDX + "basedOn", _id("law", LAWS[0][0]))
    w.iri(policy, DERIVED, passages[0])
    for slug, ja, en in INDICATORS:
        ind = _id("indicator", slug)
        w.iri(ind, RDF_TYPE, LGDX + "Indicator")
        w.lit(ind, IDENT, slug)
        w.lit(ind, LABEL, ja, "ja")
        w.lit(ind, LABEL, en, "en")
        w.lit(ind, DESC, f"{ja}（百分率）。", "ja")
        w.iri(ind, DERIVED, passages[0])
    w.flush()


def write_municipality(w: Writer, m: Municipality, faults: dict[str, str]) -> None:
    rng = m.rng
    org, city_ja, city_en = m.org(), f"{m.name_ja}市", f"{m.name_en} City"
    sources = [m.source(n) for n in range(1, 6)]

    w.iri(org, RDF_TYPE, LGDX + "LocalGovernment")
    w.lit(org, IDENT, m.code)
    w.lit(org, LABEL, city_ja, "ja")
    w.lit(org, LABEL, city_en, "en")
    w.lit(org, DESC, f"{city_ja}。第一次から第五次までの情報化推進計画を策定した。", "ja")
    w.lit(org, DESC, f"{city_en}, which drew up five IT promotion plans.", "en")
    w.lit(org, LGDX + "localGovernmentCode", m.code)
    w.lit(org, LGDX + "corporateNumber", m.corporate)
    w.iri(org, DCT + "spatial", ESTAT + m.code[:5])
    w.iri(org, DERIVED, sources[0])

    doc = m.source()
    w.iri(doc, RDF_TYPE, LGDX + "SourceDocument")
    w.lit(doc, IDENT, f"{m.slug}-it-plan-5")
    w.lit(doc, LABEL, f"第五次{city_ja}情報化推進計画 第2章", "ja")
    w.lit(doc, LABEL, f"Fifth {city_en} IT Promotion Plan, Chapter 2", "en")
    for n, s in enumerate(sources, 1):
        w.iri(s, RDF_TYPE, LGDX + "SourcePassage")
        w.lit(s, IDENT, f"{m.slug}-it-plan-5-s{n}")
        w.iri(s, DCT + "isPartOf", doc)
        w.lit(s, LGDX + "section", f"4-({n})")
        w.lit(s, LABEL, f"({n}) 第{KANSUJI[n - 1]}次計画の取組状況", "ja")
        w.lit(s, LABEL, f"({n}) Measures of the {ORDINAL_EN[n - 1].lower()} plan", "en")

    local_area = _id("business-area", f"{m.slug}-local-tax-collection")
    w.iri(local_area, RDF_TYPE, LGDX + "BusinessArea")
    w.lit(local_area, IDENT, f"{m.slug}-local-tax-collection")
    for p in (LABEL, PREF):
        w.lit(local_area, p, f"{city_ja}の収納管理", "ja")
        w.lit(local_area, p, f"{city_en} tax collection", "en")
    w.iri(local_area, DERIVED, sources[4])

    systems = []
    for s, (slug, ja, en) in enumerate(SYSTEMS):
        iri = m.system(s)
        systems.append(iri)
        fault = faults.get(iri)
        w.iri(iri, RDF_TYPE, LGDX + "InformationSystem")
        w.lit(iri, IDENT, f"{m.slug}-{slug}")
        w.lit(iri, LABEL, ja, "ja")
        w.lit(iri, LABEL, "I C T " + en if fault == "spaced-out-letters" else en, "en")
        w.lit(iri, DESC, f"{city_ja}の{ja}。", "ja")
        w.lit(iri, DESC, f"The {en.lower()} of {city_en}.", "en")
        w.iri(iri, LGDX + "operatedBy", org)
        for a in rng.sample(range(len(STANDARD_AREAS)), rng.randrange(1, 4)):
            w.iri(iri, LGDX + "coversBusinessArea", _id("business-area", f"std-{STANDARD_AREAS[a][0]}"))
        if s == 0:
            w.iri(iri, LGDX + "coversBusinessArea", local_area)
        if fault != "missing-source":
            w.iri(iri, DERIVED, sources[rng.randrange(5)])

    event = _id("event", f"{m.slug}-core-systems-migration")
    w.iri(event, RDF_TYPE, LGDX + "Event")
    w.lit(event, IDENT, f"{m.slug}-core-systems-migration")
    w.lit(event, LABEL, f"{city_ja}の基幹系システム移行", "ja")
    w.lit(event, LABEL, f"{city_en} core systems migration", "en")
    w.lit(event, LGDX + "occurredOn", f"{2022 + rng.randrange(4)}-{rng.randrange(1, 13):02d}",
          dt=XSD + "gYearMonth")
    w.iri(event, LGDX + "involves", systems[0])
    w.iri(event, DERIVED, sources[4])

    for n, (slug, ja, en) in enumerate(INDICATORS):
        obs = m.observation(n)
        fault = faults.get(obs)
        w.iri(obs, RDF_TYPE, LGDX + "Observation")
        w.lit(obs, IDENT, f"{m.slug}-{slug}-2022")
        w.lit(obs, LABEL, f"{city_ja}の{ja}（2022年）", "ja")
        w.lit(obs, LABEL, f"{en} of {city_en} (2022)", "en")
        w.iri(obs, LGDX + "indicator", _id("indicator", slug))
        value = f"{rng.randrange(200, 900) / 10:.1f}"
        w.lit(obs, LGDX + "value", value, dt=None if fault == "bad-datatype" else XSD + "decimal")
        if fault == "unit-as-text":
            w.lit(obs, LGDX + "unit", "%")
        else:
            w.iri(obs, LGDX + "unit", UNIT + "PERCENT")
        w.lit(obs, LGDX + "observedOn", "2022-02-30" if fault == "ill-typed-date" else "2022-03-31",
              dt=XSD + "date")
        w.iri(obs, LGDX + "subject", org)
        w.iri(obs, DERIVED, sources[4])

    first_year = 2004 + m.index % 3
    for k in range(1, 6):
        plan = m.plan(k)
        fault = faults.get(plan)
        start = first_year + 3 * (k - 1) if k < 5 else 2022
        end = start + (2 if k < 5 else 4)
        title_ja = f"第{KANSUJI[k - 1]}次{city_ja}情報化推進計画"
        title_en = f"{ORDINAL_EN[k - 1]} {city_en} IT Promotion Plan"
        w.iri(plan, RDF_TYPE, LGDX + "Plan")
        w.lit(plan, IDENT, f"{m.slug}-it-plan-{k}")
        w.lit(plan, LABEL, title_ja, "ja")
        w.lit(plan, LABEL, title_en, "en")
        w.lit(plan, DESC, f"{start}年度から{end}年度までを計画期間とする{city_ja}の情報化推進計画。", "ja")
        w.lit(plan, DESC, f"{city_en}'s IT promotion plan for fiscal {start} to {end}.", "en")
        w.iri(plan, DCT + "publisher", org)
        w.lit(plan, DCT + "issued", f"{start}-03", dt=XSD + "gYearMonth")
        w.lit(plan, LGDX + "ordinal", str(k), dt=XSD + "positiveInteger")
        if k > 1:
            w.iri(plan, LGDX + "succeeds", m.plan(k - 1))
        else:
            w.iri(plan, LGDX + "basedOn", _id("law", LAWS[0][0]))
        if k == 5:
            w.iri(plan, LGDX + "basedOn", _id("policy", "municipal-dx-promotion-plan"))
        if fault == "period-start-after-end":
            w.lit(plan, LGDX + "periodStart", f"{end + 1}-04-01", dt=XSD + "date")
        else:
            w.lit(plan, LGDX + "periodStart", f"{start}-04-01", dt=XSD + "date")
        w.lit(plan, LGDX + "periodEnd", f"{end + 1}-03-31", dt=XSD + "date")
        if k < 5:
            rate = "40" if fault == "achievement-rate-out-of-range" else f"0.{rng.randrange(3, 10)}"
            w.lit(plan, LGDX + "achievementRate", rate, dt=XSD + "decimal")
        w.iri(plan, DERIVED, sources[k - 1])

        for j in range(1, 18 + rng.randrange(5) + 1):
            write_measure(w, m, k, j, plan, systems, sources[k - 1], faults.get(m.measure(k, j)), rng)
        w.flush()


def write_measure(w: Writer, m: Municipality, k: int, j: int, plan: str, systems: list[str],
                  source: str, fault: str | None, rng: random.Random) -> None:
    iri = m.measure(k, j)
    s = rng.randrange(len(SYSTEMS))
    action_ja, action_en, action_desc = ACTIONS[rng.randrange(len(ACTIONS))]
    label_ja = SYSTEMS[s][1] + action_ja
    w.iri(iri, RDF_TYPE, LGDX + "Measure")
    w.lit(iri, IDENT, "not-the-slug" if fault == "identifier-not-slug" else f"{m.slug}-it-plan-{k}-{j:02d}")
    w.lit(iri, LABEL, label_ja.replace("の", "の  ", 1) if fault == "label-double-space" else label_ja, "ja")
    if fault == "two-japanese-labels":
        w.lit(iri, LABEL, label_ja + "（再掲）", "ja")
    if fault != "missing-en-label":
        w.lit(iri, LABEL, action_en.format(SYSTEMS[s][2].lower()), "en")
    w.lit(iri, DESC, SYSTEMS[s][1] + action_desc, "ja")
    w.lit(iri, DESC, action_en.format(SYSTEMS[s][2].lower()) + ", as set out in the plan.", "en")
    w.iri(iri, LGDX + "partOf", systems[0] if fault == "part-of-not-a-plan" else plan)
    if fault == "duplicate-item-number":
        w.lit(iri, LGDX + "itemNumber", str(j - 1), dt=XSD + "positiveInteger")
    elif fault == "item-number-not-positive-integer":
        w.lit(iri, LGDX + "itemNumber", str(j), dt=XSD + "integer")
    else:
        w.lit(iri, LGDX + "itemNumber", str(j), dt=XSD + "positiveInteger")
    goal = "goal-type-study" if rng.random() < 0.4 else "goal-type-implementation"
    w.iri(iri, LGDX + "goalType", _id("concept", goal))
    if k < 5:  # the plans whose period has ended have a status and a direction
        status = rng.choice(SCHEMES["achievement-status"][2])[0]
        if fault == "status-not-in-list":
            status = "direction-continue"
        w.iri(iri, LGDX + "achievementStatus", _id("concept", status))
        w.iri(iri, LGDX + "direction", _id("concept", rng.choice(SCHEMES["direction"][2])[0]))
    for n in range(rng.randrange(1, 4)):
        note = rng.choice(NOTES)
        w.lit(iri, LGDX + "progressNote", f"{'①②③'[n]}{note}", "en" if fault == "progress-note-not-japanese" else "ja")
    if fault == "dangling-reference":
        w.iri(iri, LGDX + "concernsSystem", _id("system", f"{m.slug}-no-such-system"))
    else:
        w.iri(iri, LGDX + "concernsSystem", systems[s])
    if rng.random() < 0.3:
        w.iri(iri, LGDX + "concernsTechnology", _id("technology", rng.choice(TECHNOLOGIES)[0]))
    w.iri(iri, DERIVED, source)


def generate(municipalities: int, out, seed: int = 42, faults: int = 0) -> tuple[int, list[dict]]:
    """Write the corpus to the text stream ``out``; return (triples, expected faults)."""
    plan = FaultPlan(faults, municipalities, seed)
    w = Writer(out)
    write_vocabulary(w)
    for i in range(municipalities):
        write_municipality(w, Municipality(i, seed, plan.municipal.get(i)), plan.by_focus)
    w.flush()
    return w.count, plan.expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipalities", "-n", type=int, required=True, help="number of municipalities")
    parser.add_argument("--out", "-o", type=Path, required=True, help="N-Triples file to write")
    parser.add_argument("--faults", type=int, default=0, help="number of faults to inject (default 0)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    args = parser.parse_args(argv)
    if args.municipalities < 1:
        parser.error("--municipalities must be at least 1")
    started = time.perf_counter()
    with open(args.out, "w", encoding="utf-8", newline="\n") as handle:
        triples, expected = generate(args.municipalities, handle, args.seed, args.faults)
    if args.faults:
        sidecar = args.out.with_name(args.out.name + ".faults.json")
        sidecar.write_text(json.dumps({"seed": args.seed, "municipalities": args.municipalities,
                                       "triples": triples, "faults": expected},
                                      ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{triples} triples, {args.municipalities} municipalities, {len(expected)} expected finding(s) "
          f"in {time.perf_counter() - started:.2f} s -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
