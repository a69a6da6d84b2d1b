"""Interface strings in Japanese and English, and the choice of language for a request:
?lang= wins (and is kept in every link), then Accept-Language, then Japanese (the source's language)."""

from __future__ import annotations

from ccds_crosswalk.web.negotiation import negotiate_language

__all__ = [
    "ERRATUM_KINDS",
    "LANGUAGES",
    "QUERY_TITLES_JA",
    "RELATION_SENTENCES",
    "RELATION_SHORT",
    "choose_language",
    "t",
]

LANGUAGES = ("ja", "en")

STRINGS: dict[str, dict[str, str]] = {
    "site": {"ja": "CCDS スマートホーム編 対応表", "en": "CCDS smart-home crosswalk"},
    "tagline": {
        "ja": "CCDS「製品分野別セキュリティガイドライン スマートホーム編」Appendix の対応表を、"
        "リンクトデータとして公開しています。",
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
    "mappings_out": {"ja": "本書での対応箇所", "en": "Where CCDS covers this item"},
    "mappings_in": {
        "ja": "この項目に対応づけられた関連ガイドラインの項目",
        "en": "Items of other frameworks mapped to this item",
    },
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
    "main_nav": {"ja": "サイト内", "en": "Site"},
    "breadcrumb": {"ja": "現在位置", "en": "You are here"},
    "record_short": {"ja": "レコード", "en": "record"},
    "record_title": {"ja": "この対応レコードの詳細(出典・正誤)", "en": "this mapping record in full (source, errata)"},
    "external_item": {"ja": "関連ガイドラインの項目", "en": "External item"},
    "ccds_section": {"ja": "本書の章節", "en": "CCDS section"},
    "ccds_item": {"ja": "本書の項目", "en": "CCDS item"},
    "ccds_item_resolved": {"ja": "本書の項目(訂正後)", "en": "CCDS item (as resolved)"},
    "printed_source": {"ja": "Appendix の記載(印刷どおり)", "en": "As printed in the Appendix"},
    "source_place": {"ja": "出典", "en": "Source"},
    "statement_n": {"ja": "記述 {n}", "en": "Statement {n}"},
    "statements": {"ja": "記述(箇条書き)", "en": "Statements (bullets)"},
    "statements_note": {
        "ja": "この要件は複数の記述からなり、Appendix は記述ごとに対応箇所を示しています。",
        "en": "This requirement consists of several statements; the Appendix gives the CCDS "
        "counterparts of each statement separately.",
    },
    "corrected": {"ja": "訂正あり", "en": "corrected"},
    "printed_id": {"ja": "印刷上の ID", "en": "printed ID"},
    "see_erratum": {"ja": "正誤を参照", "en": "see erratum"},
    "level": {"ja": "サービスレベル", "en": "Service level"},
    "component": {"ja": "構成要素", "en": "Component"},
    "legal_source": {"ja": "法令上の根拠", "en": "Legal source"},
    "note": {"ja": "注釈", "en": "Note"},
    "source_line": {"ja": "出典の行", "en": "Source line"},
    "source_text": {"ja": "Appendix のテキスト", "en": "Text of the Appendix"},
    "chapter": {"ja": "Appendix の章・表", "en": "Appendix chapter, table"},
    "chapter_table": {"ja": "第{chapter}章 表 {table}", "en": "chapter {chapter}, table {table}"},
    "description": {"ja": "内容", "en": "Description"},
    "this_guideline": {"ja": "本書(すべての対応の対応先)", "en": "this guideline: the target of every mapping"},
    "relation_to_ccds": {"ja": "本書との関係", "en": "Relation to CCDS"},
    "record_counts": {"ja": "対応レコード {n} 件", "en": "mapping records: {n}"},
    "incoming_counts": {"ja": "この項目への対応 {n} 件", "en": "mapping records pointing here: {n}"},
    "none_counts": {"ja": "うち該当なし {n} 件", "en": "of them no correspondence: {n}"},
    "no_results": {"ja": "該当する項目はありません。", "en": "No item matches."},
    "search_static": {
        "ja": "この静的な複製では、検索は JavaScript で索引ファイルを読んで行います。JavaScript が使えない場合は、"
        "フレームワークごとの一覧から項目をたどるか、索引ファイルを直接開いてください:",
        "en": "On this static copy, search runs in JavaScript over an index file. Without JavaScript, browse the items "
        "by framework or open the index file itself:",
    },
    "query_static": {
        "ja": "このサイトは静的な複製で、クエリはこのエンドポイントで実行されます。",
        "en": "This site is a static copy: queries run at this endpoint.",
    },
    "query_no_endpoint": {
        "ja": "この静的な複製には SPARQL エンドポイントがありません。ダンプをダウンロードし、"
        "任意の SPARQL ストアに読み込んでクエリしてください:",
        "en": "This static copy has no SPARQL endpoint. Download the dumps and load them into any SPARQL store "
        "to query them:",
    },
    "total": {"ja": "計", "en": "Total"},
    "canned": {"ja": "定型クエリ", "en": "Canned queries"},
    "endpoint": {"ja": "エンドポイント", "en": "Endpoint"},
    "coverage_intro": {
        "ja": "各フレームワークの対応レコードが、本書のどの章節を指しているか(件数)。色が濃いほど多い。"
        "行はフレームワーク(Appendix の章の順)、列は本書の章節です。",
        "en": "How many mapping records of each framework point into each CCDS section; darker means more. "
        "Rows are the frameworks (in Appendix chapter order), columns the CCDS sections.",
    },
    "coverage_caption": {
        "ja": "対応レコード数:フレームワーク × 本書の章節",
        "en": "Mapping records: framework × CCDS section",
    },
    "errata_intro": {
        "ja": "Appendix の表の中で、ID・章番号・名称が互いに食い違っている箇所と、本データセットでの解決です。"
        "印刷どおりの記載は各レコードに残し、対応先は解決後の項目を指します。",
        "en": "Places where the Appendix tables contradict themselves (IDs, section numbers, titles), and how this "
        "dataset resolves them. Each record keeps what was printed; its target is the resolved item.",
    },
    "resolved_yes": {"ja": "解決済み", "en": "resolved"},
    "resolved_no": {"ja": "未解決(印刷どおり)", "en": "unresolved (kept as printed)"},
    "erratum": {"ja": "正誤", "en": "Erratum"},
    "changes": {"ja": "変更点", "en": "Changes"},
    "changes_intro": {
        "ja": "リリース {release} で前のリリースから変わった項目・ラベル・対応レコード・正誤です(追加・削除・変更)。"
        "最初のリリースではすべてが追加となります。changes.ttl と changes.csv でも取得できます。",
        "en": "What changed in release {release} since the previous one: items, labels, mapping records and errata "
        "(added, removed, changed). In the first release everything is added. Also as changes.ttl and "
        "changes.csv.",
    },
    "change_type": {"ja": "変更の種類", "en": "Change"},
    "resource_kind": {"ja": "種類", "en": "Kind"},
    "property": {"ja": "プロパティ", "en": "Property"},
    "old_value": {"ja": "変更前", "en": "Old value"},
    "new_value": {"ja": "変更後", "en": "New value"},
    "compare": {"ja": "比較", "en": "Compare"},
    "gap": {"ja": "ギャップ分析", "en": "Gap analysis"},
    "compare_intro": {
        "ja": "二つのフレームワークの項目を、本書(CCDS)の同じ対応先を通じて対応づけます。Appendix には印刷されていない"
        "導出結果で、各行は二つの対応レコード(根拠)と、それらに関わる正誤を示します。章節全体を対応先とするレコード"
        "は、その下のすべての項目に対応するものとして数え、行にそう記します。",
        "en": "Relates the items of two frameworks through the CCDS items their mapping records share. The rows are "
        "derived, never printed in the Appendix: each names both mapping records (its legs) and the errata "
        "applied to them. A record citing a whole section counts for every item under it, and the row says so.",
    },
    "compare_left": {"ja": "フレームワーク A", "en": "Framework A"},
    "compare_right": {"ja": "フレームワーク B", "en": "Framework B"},
    "compare_pairs": {"ja": "導出された対応 {n} 件", "en": "{n} derived pairs"},
    "compare_printed": {"ja": "対応 {n} 件", "en": "{n} pairs"},
    "basis": {"ja": "根拠", "en": "Basis"},
    "legs": {"ja": "対応レコード(根拠)", "en": "Mapping records (legs)"},
    "derived": {"ja": "導出", "en": "derived"},
    "basis_same-target": {"ja": "同じ対応先", "en": "same target"},
    "basis_left-whole-section": {"ja": "A が章節全体({section})を対応先とする", "en": "A cites the whole of {section}"},
    "basis_right-whole-section": {
        "ja": "B が章節全体({section})を対応先とする",
        "en": "B cites the whole of {section}",
    },
    "basis_printed": {"ja": "印刷された対応", "en": "printed"},
    "basis_whole-section": {"ja": "章節全体({section})の下の項目", "en": "under the whole of {section}"},
    "download": {"ja": "ダウンロード", "en": "Download"},
    "flow_title": {"ja": "フロー図", "en": "Flow diagram"},
    "gap_intro": {
        "ja": "製品が満たす項目(どのフレームワークでも)から、本書の要求事項とフェーズ別取り組みのうち対応済みのものと"
        "残りを、構成要素(SP, PP, H, D, A)とサービスレベル(★★, ★★★)ごとに示します。「対応済み」は印刷された"
        "対応レコードで結ばれていることを意味し、同等性を意味しません。逆方向(本書の項目から外部フレームワーク)も"
        "選べます。",
        "en": "From the items a product meets, in any framework, which CCDS requirements and phase activities are "
        "covered and which remain, per component (SP, PP, H, D, A) and service level (★★, ★★★). Covered means "
        "linked by a printed mapping record, not equivalent. The reverse (CCDS items against an external "
        "framework) is available too.",
    },
    "gap_have": {"ja": "満たしている項目", "en": "Items the product meets"},
    "gap_have_hint": {
        "ja": "ID をカンマ区切りで(UK1,UK2 や uk-cop:UK1)、または id 列のある CSV、SSSOM TSV を貼り付け",
        "en": "IDs separated by commas (UK1,UK2 or uk-cop:UK1), or paste a CSV with an id column, or an SSSOM TSV",
    },
    "gap_file": {"ja": "またはファイル(CSV / SSSOM TSV)", "en": "or a file (CSV / SSSOM TSV)"},
    "gap_against": {"ja": "照合先", "en": "Against"},
    "gap_level": {"ja": "サービスレベル", "en": "Service level"},
    "gap_all_levels": {"ja": "すべて", "en": "all"},
    "gap_summary": {"ja": "構成要素・レベル別の集計", "en": "Summary per component and level"},
    "gap_group": {"ja": "区分", "en": "Group"},
    "gap_level_col": {"ja": "レベル", "en": "Level"},
    "status_covered": {"ja": "対応済み", "en": "covered"},
    "status_partial": {"ja": "一部(共通要件の一部)", "en": "partial"},
    "status_remaining": {"ja": "残り", "en": "remaining"},
    "status_no-correspondence": {"ja": "該当なし", "en": "no correspondence"},
    "held_by": {"ja": "満たしている項目", "en": "Held items"},
    "open_by": {"ja": "満たせば対応する項目", "en": "Would be covered by"},
    "common_met": {"ja": "満たす共通要件", "en": "Common requirements met"},
    "group_R": {"ja": "サービス要件(6.1)", "en": "service requirements (6.1)"},
    "group_phase": {"ja": "フェーズ別取り組み(5章)", "en": "phase activities (ch. 5)"},
    "change_added": {"ja": "追加", "en": "added"},
    "change_removed": {"ja": "削除", "en": "removed"},
    "change_changed": {"ja": "変更", "en": "changed"},
}

RELATION_SENTENCES: dict[str, dict[str, str]] = {
    "detailedBy": {"ja": "本書は{framework}を詳細化した内容です。", "en": "The CCDS guideline details {framework}."},
    "referencedBy": {
        "ja": "本書は{framework}を参考に作成されました。",
        "en": "The CCDS guideline was written with reference to {framework}.",
    },
    "complianceConfirmedBy": {
        "ja": "本書は{framework}に対する要件の準拠を確認しています。",
        "en": "The CCDS guideline confirms compliance with the requirements of {framework}.",
    },
}

RELATION_SHORT: dict[str, dict[str, str]] = {
    "detailedBy": {"ja": "本書が詳細化", "en": "CCDS details it"},
    "referencedBy": {"ja": "本書が参考にして作成", "en": "CCDS was written with reference to it"},
    "complianceConfirmedBy": {"ja": "本書が準拠を確認", "en": "CCDS confirms compliance with it"},
}

ERRATUM_KINDS: dict[str, dict[str, str]] = {
    "missing-level": {"ja": "ID のサービスレベル欠落", "en": "service level missing from the ID"},
    "wrong-component-section": {"ja": "構成要素の章節違い", "en": "item cited under another component's section"},
    "section-title-mismatch": {"ja": "章節名の不一致", "en": "section title does not match the number"},
    "section-number-mismatch": {"ja": "章節番号の不一致", "en": "section number does not match the title"},
    "section-title-variant": {"ja": "章節名の表記ゆれ", "en": "variant section title"},
    "title-variant": {"ja": "項目名の表記ゆれ", "en": "variant item title"},
    "wrong-id": {"ja": "ID の誤り", "en": "wrong ID"},
    "wrong-level": {"ja": "サービスレベルの誤り", "en": "wrong service level"},
    "qualifier-typo": {"ja": "注記の誤字", "en": "typo in a qualifier"},
    "text-typo": {"ja": "本文の誤字", "en": "typo in the text"},
}

QUERY_TITLES_JA: dict[str, str] = {
    "corrected-crosswalk": "訂正後の対応表",
    "coverage-matrix": "カバレッジ行列:フレームワーク × 本書の章節",
    "cross-framework": "フレームワーク間の対応(導出、例:英国 CoP ↔ CPSF)",
    "crosswalk": "印刷どおりの対応表",
    "errata": "Appendix の正誤",
    "frameworks": "フレームワークと件数",
    "item-mappings": "ある項目のすべての対応(双方向)",
    "no-correspondence": "該当なしの外部項目",
    "requirements-by-component": "構成要素・サービスレベル別の本書の要求事項",
}


def t(key: str, lang: str, **values: object) -> str:
    text = STRINGS[key][lang]
    return text.format(**values) if values else text


def choose_language(query_lang: str | None, accept_language: str | None) -> str:
    """?lang= wins, then Accept-Language (where q=0 refuses a language), then Japanese, the source's language."""
    if query_lang is not None and query_lang in LANGUAGES:
        return query_lang
    return negotiate_language(accept_language, LANGUAGES) or "ja"
