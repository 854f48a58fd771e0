"""Japanese for the loading errors: a catalogue from each English message pattern to its Japanese.

The errors are raised in English (``kg.load``, ``kg.dates``, ``kg.project``); reports show
them in both languages, as the shape messages are. A pattern's ``{}`` stands for a value
(a key, a file, a date as written): the Japanese takes the values by number, in its own
order, and a value that is itself a message (a date error inside a key's error) is put
into Japanese too. A test keeps every message the loader can raise in this catalogue.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: English pattern → Japanese, ``{}`` in the English matched by ``{0}``, ``{1}`` … in order.
JA = {
    # kg.load: files and their form
    "cannot tell the format of this file": "ファイルの形式がわかりません",
    "cannot tell the RDF format of this file": "ファイルの RDF の形式がわかりません",
    "use .yaml, .measures.csv, .ttl, .nt, .jsonld or .rdf":
        ".yaml、.measures.csv、.ttl、.nt、.jsonld、.rdf のいずれかの拡張子にしてください",
    "not UTF-8 text (byte {})": "UTF-8 のテキストではありません（{0} バイト目）",
    "save the file as UTF-8 (Excel: 'CSV UTF-8')":
        "UTF-8 で保存し直してください（Excel なら「CSV UTF-8」）",
    "cannot read: {}": "読み込めません: {0}",
    "check the path": "パスを確認してください",
    "cannot parse as {}: {}": "{0} として読み取れません: {1}",
    "cannot parse Turtle: {}": "Turtle として読み取れません: {0}",
    "check the file's syntax, e.g. with `rapper -c`": "ファイルの構文を確認してください（例: `rapper -c`）",
    "check the file's syntax, e.g. with `rapper -i turtle -c`":
        "ファイルの構文を確認してください（例: `rapper -i turtle -c`）",
    "not a kg project: no data/ and ontology/ folders here":
        "kg のプロジェクトではありません: data/ と ontology/ のフォルダがありません",
    "run kg in the project folder, or pass --project DIR":
        "プロジェクトのフォルダで kg を実行するか、--project DIR を指定してください",
    # YAML
    "malformed YAML: {}": "YAML の書き方に誤りがあります: {0}",
    "check indentation, colons, brackets and quotes from this line on":
        "この行から後の字下げ、コロン、かっこ、引用符を確認してください",
    "a data file must be a list of resources": "データファイルは項目の並び（リスト）でなければなりません",
    "start each resource with `- id: KIND/SLUG`": "各項目は `- id: 種類/識別子` で始めてください",
    "a resource must be a mapping, got {}": "項目は「キー: 値」の組でなければなりませんが、{0}です",
    "write `- id: KIND/SLUG` followed by `key: value` lines":
        "`- id: 種類/識別子` の行に続けて `キー: 値` の行を書いてください",
    "a key must be plain text": "キーは普通の文字列でなければなりません",
    "write `key: value`": "`キー: 値` の形で書いてください",
    "duplicate key `{}` (first at line {})": "キー `{0}` が重複しています（最初は {1} 行目）",
    "duplicate key `{}`": "キー `{0}` が重複しています",
    "keep one `{}`; a key with several values takes a list":
        "`{0}` は1つにしてください。値が複数あるときはリストで書きます",
    "keep one `{}`": "`{0}` は1つにしてください",
    # resources
    "resource has no `id`": "項目に `id` がありません",
    "start each resource with `- id: KIND/SLUG`, e.g. `- id: measure/my-plan-01`":
        "各項目は `- id: 種類/識別子` で始めてください（例: `- id: measure/my-plan-01`）",
    "duplicate id `{}`: already defined at {}": "id `{0}` が重複しています（{1} で定義済み）",
    "each resource is defined once: merge the two entries or give one another id":
        "項目は1回だけ定義します。2つをまとめるか、一方に別の id を付けてください",
    "`{}` has no `type`": "`{0}` に `type` がありません",
    "add `type:` with a class of the ontology, e.g. `type: Measure`":
        "オントロジーのクラスを `type:` に書いてください（例: `type: Measure`）",
    "unknown key `{}`": "不明なキー `{0}`",
    "did you mean `{}`?": "`{0}` のことですか？",
    "use a term of the JSON-LD context (data/README.md lists them)":
        "JSON-LD コンテキストの用語を使ってください（一覧は data/README.md）",
    "bad id `{}`": "id `{0}` の書き方が正しくありません",
    "write the id as KIND/SLUG, e.g. `law/428AC1000000103` or `org/132209`":
        "id は 種類/識別子 の形で書いてください（例: `law/428AC1000000103`、`org/132209`）",
    "unknown kind `{}` in id `{}`": "id `{1}` の種類 `{0}` は使えません",
    "use one of: {}, or a full https:// IRI": "次のいずれかか、https:// で始まる完全な IRI を使ってください: {0}",
    "use one of: {}": "次のいずれかを使ってください: {0}",
    "bad slug `{}` in id `{}`": "id `{1}` の識別子 `{0}` の書き方が正しくありません",
    "slugs are lowercase ASCII letters, digits and single hyphens, e.g. `it-plan-4`":
        "識別子は半角の英小文字、数字、1つずつのハイフンで書きます（例: `it-plan-4`）",
    "bad type `{}`": "type `{0}` の書き方が正しくありません",
    "write a class name such as `Measure`": "`Measure` のようにクラス名を書いてください",
    "unknown class `{}`": "不明なクラス `{0}`",
    "use a class of ontology/lgdx.ttl": "ontology/lgdx.ttl にあるクラスを使ってください",
    "unknown prefix `{}:` in `{}`": "`{1}` の接頭辞 `{0}:` は不明です",
    # values
    "`{}` takes one value, got {}": "`{0}` に書ける値は1つですが、{1} 個あります",
    "keep one value of `{}`": "`{0}` の値を1つにしてください",
    "`{}` takes a plain value, got {}": "`{0}` には単純な値を書きますが、{1}です",
    "write `{}: VALUE`": "`{0}: 値` の形で書いてください",
    "`{}` needs a language map, got {}": "`{0}` には言語ごとの値が必要ですが、{1}です",
    "write `{}: {ja: …, en: …}`": "`{0}: {{ja: …, en: …}}` の形で書いてください",
    "bad language tag `{}` in `{}`": "`{1}` の言語タグ `{0}` が正しくありません",
    "a comma inside {…} starts a new entry: quote text that has commas, e.g. `en: \"A, B\"`":
        "{{…}} の中のコンマは次の項目の始まりになります。コンマを含む文は引用符で囲んでください"
        "（例: `en: \"A, B\"`）",
    "use a BCP 47 tag such as `ja` or `en`": "`ja` や `en` のような BCP 47 の言語タグを使ってください",
    "`{}` takes one `{}` text, got {}": "`{0}` に書ける `{1}` の文は1つですが、{2} 個あります",
    "keep one `{}` text, or move the others to `altLabel` or `note`":
        "`{0}` の文を1つにし、ほかは `altLabel` か `note` に移してください",
    "empty or non-text `{}` value in `{}`": "`{1}` の `{0}` の値が空か、文字列ではありません",
    "write the text, or remove the entry": "文を書くか、その行を削除してください",
    "unknown {} `{}` in `{}`": "`{2}` の {0} `{1}` は定義されていません",
    "define the concepts of scheme/{} in data/vocab/": "scheme/{0} の概念を data/vocab/ に定義してください",
    "bad reference `{}`": "参照 `{0}` の書き方が正しくありません",
    "write KIND/SLUG, e.g. `org/132209`": "種類/識別子 の形で書いてください（例: `org/132209`）",
    "write KIND/SLUG (e.g. `plan/higashiyamato-it-plan-4`), a prefixed name or an https:// IRI":
        "種類/識別子（例: `plan/higashiyamato-it-plan-4`）、接頭辞付きの名前、"
        "または https:// で始まる IRI を書いてください",
    "`{}` must be a number, got `{}`": "`{0}` は数でなければなりませんが、`{1}` です",
    "write digits with an optional decimal point, e.g. 0.4 or 39.9":
        "数字と必要なら小数点で書いてください（例: 0.4、39.9）",
    "`{}` must be a finite number": "`{0}` は有限の数でなければなりません",
    "write a plain number": "普通の数を書いてください",
    "`{}` must be {}, got `{}`": "`{0}` は{1}でなければなりませんが、`{2}` です",
    "write {}, e.g. 3": "{0}を書いてください（例: 3）",
    "a whole number of 1 or more": "1以上の整数",
    "a whole number": "整数",
    "a mapping": "キーと値の組",
    "a list": "リスト",
    "nothing": "何もない",
    "`{}`: {}": "`{0}`: {1}",
    # CSV plan tables
    "`{}` is not a valid plan slug": "`{0}` は計画の識別子として使えません",
    "name the file PLAN-SLUG.measures.csv, e.g. my-city-it-plan-4.measures.csv":
        "ファイル名を 計画の識別子.measures.csv にしてください（例: my-city-it-plan-4.measures.csv）",
    "empty table": "表が空です",
    "the first row names the columns": "1行目に列名を書いてください",
    "malformed CSV: {}": "CSV の書き方に誤りがあります: {0}",
    "check the quotes": "引用符を確認してください",
    "check the quotes of this row": "この行の引用符を確認してください",
    "unknown column(s): {}": "不明な列: {0}",
    "columns are: {}": "使える列: {0}",
    "missing column(s): {}": "足りない列: {0}",
    "add them to the first row": "1行目に追加してください",
    "row has {} cells, the header has {}": "この行のセルは {0} 個ですが、見出しは {1} 個です",
    "quote cells that contain commas; every row has one cell per column":
        "コンマを含むセルは引用符で囲んでください。どの行も列ごとに1つのセルを持ちます",
    "duplicate 項番 {} (first at line {})": "項番 {0} が重複しています（最初は {1} 行目）",
    "give each item its own number": "項目ごとに別の番号を付けてください",
    # kg.dates
    "Fiscal year {} ({} to {}) is a period, not a date.": "{0}年度（{1}～{2}）は期間で、日付ではありません。",
    "Write its last day as …年度末 (e.g. 令和3年度末), or use the fiscal year as a period bound "
    "(periodStart / periodEnd).":
        "最終日なら …年度末（例: 令和3年度末）と書くか、年度は期間の端（periodStart / periodEnd）に使ってください。",
    "Expected a date as text, got {}.": "日付は文字列で書きますが、{0} です。",
    "Write a date such as {}.": "{0} のような日付を書いてください。",
    "Empty date.": "日付が空です。",
    "Unknown era {} in date {}.": "日付 {1} の元号 {0} は不明です。",
    "Use one of 明治, 大正, 昭和, 平成, 令和, or a Western year (2017年5月, 2017-05).":
        "明治、大正、昭和、平成、令和のいずれか、または西暦（2017年5月、2017-05）で書いてください。",
    "Year {} in date {} has no era and is not a 4-digit Western year.":
        "日付 {1} の年 {0} には元号がなく、4桁の西暦でもありません。",
    "Write the era (平成17年, 令和元年) or the full Western year (2005年).":
        "元号（平成17年、令和元年）か、4桁の西暦（2005年）で書いてください。",
    "Year 0 does not exist (date {}).": "0年はありません（日付 {0}）。",
    "The first year of an era is 元年 (or 1年); Western years start at 1.":
        "元号の最初の年は元年（または1年）です。西暦は1年から始まります。",
    "Two Western years in date {}.": "日付 {0} に西暦が2つあります。",
    "Keep one, e.g. 令和8年度（2026年）.": "1つにしてください（例: 令和8年度（2026年））。",
    "The Western year ({}) in date {} does not match its era year.":
        "日付 {1} の西暦（{0}）が元号の年と合いません。",
    "Correct the era year or the Western year: {}.": "元号の年か西暦を直してください: {0}。",
    "Cannot read {} as a date.": "{0} を日付として読み取れません。",
    "Year {} is out of range in date {}.": "日付 {1} の年 {0} は範囲外です。",
    "Check the year.": "年を確認してください。",
    "Month {} does not exist (date {}).": "{0}月はありません（日付 {1}）。",
    "Write a month from 1 to 12.": "月は1から12で書いてください。",
    "Date {} is in the lunisolar calendar used before 明治6年 (1873).":
        "日付 {0} は明治6年（1873年）より前の太陰太陽暦の日付です。",
    "Give the Gregorian date in ISO form (e.g. 1872-05-01), or only the year (明治5年).":
        "グレゴリオ暦の日付を ISO 形式（例: 1872-05-01）で書くか、年だけ（明治5年）にしてください。",
    "Day {} does not exist in {}-{} (date {}).": "{1}-{2} に {0} 日はありません（日付 {3}）。",
    "{}-{} has {} days; check the source.": "{0}-{1} は {2} 日までです。出典を確認してください。",
    "Date {} ({}) is outside the {} era ({}).": "日付 {0}（{1}）は{2}（{3}）の期間外です。",
    "Write it in its own era: {}{}.": "その日付の元号で書いてください: {0}{1}。",
    # kg.errors
    "{} problem(s) in {} file(s): nothing was checked": "{1} 個のファイルに {0} 件の問題: 検査は行っていません",
}


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern, str]]:
    # the longest fixed text first, so that the most specific pattern wins
    ordered = sorted(JA.items(), key=lambda item: -len(item[0].replace("{}", "")))
    return [(re.compile("".join("(.+?)" if part == "{}" else re.escape(part)
                                for part in re.split(r"(\{\})", english)), re.DOTALL), japanese)
            for english, japanese in ordered]


def japanese(text: str | None) -> str | None:
    """``text`` in Japanese where the catalogue knows its pattern, else ``None``."""
    if not text:
        return None
    for pattern, ja in _patterns():
        match = pattern.fullmatch(text)
        if match:
            return ja.format(*(japanese(value) or value for value in match.groups()))
    return None
