"""Interface strings in Japanese and English, and the choice of language for a request:
?lang= wins (and is kept in every link), then Accept-Language, then Japanese (the source's language)."""

from __future__ import annotations

LANGUAGES = ("ja", "en")

STRINGS: dict[str, dict[str, str]] = {
    "site": {"ja": "CCDS スマートホーム編 対応表", "en": "CCDS smart-home crosswalk"},
    "tagline": {
        "ja": "CCDS「製品分野別セキュリティガイドライン スマートホーム編」Appendix の対応表を、リンクトデータとして公開しています。",
        "en": "The crosswalk of the Appendix of the CCDS 'Product-field security guideline: Smart home edition', "
              "published as linked data.",
    },
    "home": {"ja": "ホーム", "en": "Home"},
    "frameworks": {"ja": "フレームワーク", "en": "Frameworks"},
    "framework": {"ja": "フレームワーク", "en": "Framework"},
    "coverage": {"ja": "カバレッジ", "en": "Coverage"},
    "query": {"ja": "SPARQL クエリ", "en": "SPARQL query"},
    "search": {"ja": "検索", "en": "Search"},
    "downloads": {"ja": "ダウンロード", "en": "Downloads"},
    "ontology": {"ja": "オントロジー", "en": "Ontology"},
    "errata": {"ja": "正誤", "en": "Errata"},
    "items": {"ja": "項目数", "en": "Items"},
    "records": {"ja": "対応レコード数", "en": "Mapping records"},
    "no_correspondence": {"ja": "該当なし", "en": "No correspondence"},
    "relation": {"ja": "関係", "en": "Relation"},
    "notation": {"ja": "ID", "en": "ID"},
    "title": {"ja": "名称", "en": "Title"},
    "labels": {"ja": "ラベル", "en": "Labels"},
    "broader": {"ja": "上位項目", "en": "Broader"},
    "narrower": {"ja": "下位項目", "en": "Narrower"},
    "scheme": {"ja": "所属", "en": "In scheme"},
    "mappings_out": {"ja": "本書での対応箇所", "en": "Counterparts in CCDS"},
    "mappings_in": {"ja": "対応する関連ガイドラインの項目", "en": "External items that map here"},
    "record": {"ja": "対応レコード", "en": "Mapping record"},
    "printed": {"ja": "印刷どおり", "en": "As printed"},
    "resolved": {"ja": "訂正後の対応先", "en": "Resolved target"},
    "provenance": {"ja": "出典", "en": "Provenance"},
    "line": {"ja": "行", "en": "line"},
    "table": {"ja": "表", "en": "Table"},
    "page": {"ja": "ページ", "en": "page"},
    "qualifier": {"ja": "注記", "en": "Qualifier"},
    "statement": {"ja": "記述", "en": "Statement"},
    "english_official": {"ja": "英語:公式", "en": "English: official"},
    "english_project": {"ja": "英語:本プロジェクト訳(非公式)", "en": "English: project translation (unofficial)"},
    "other_formats": {"ja": "他の形式", "en": "Other formats"},
    "run": {"ja": "実行", "en": "Run"},
    "results": {"ja": "結果", "en": "Results"},
    "rows": {"ja": "行", "en": "rows"},
    "not_found": {"ja": "見つかりません", "en": "Not found"},
    "file": {"ja": "ファイル", "en": "File"},
    "format": {"ja": "形式", "en": "Format"},
    "size": {"ja": "サイズ", "en": "Size"},
    "checksum": {"ja": "SHA-256", "en": "SHA-256"},
    "how_query": {"ja": "問い合わせる", "en": "Query"},
    "how_link": {"ja": "リンクする", "en": "Link"},
    "how_cite": {"ja": "引用する", "en": "Cite"},
    "how_download": {"ja": "ダウンロードする", "en": "Download"},
    "language": {"ja": "English", "en": "日本語"},
    "status": {"ja": "状況", "en": "Status"},
    "reason": {"ja": "理由", "en": "Reason"},
    "kind": {"ja": "種類", "en": "Kind"},
    "search_hint": {"ja": "ID または名称(日本語・英語)", "en": "ID or title (Japanese or English)"},
    "matches": {"ja": "件", "en": "matches"},
    "affected_records": {"ja": "関係するレコード", "en": "Affected records"},
    "section": {"ja": "章節", "en": "Section"},
    "classes": {"ja": "クラス", "en": "Classes"},
    "properties": {"ja": "プロパティ", "en": "Properties"},
    "definition": {"ja": "定義", "en": "Definition"},
}


def t(key: str, lang: str) -> str:
    return STRINGS[key][lang]


def choose_language(query_lang: str | None, accept_language: str | None) -> str:
    if query_lang in LANGUAGES:
        return query_lang  # type: ignore[return-value]
    best, best_q = "ja", -1.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best
