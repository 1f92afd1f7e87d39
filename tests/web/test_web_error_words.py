"""Failure reasons in the visitor's language (issue 11): a document that fails (a damaged
PDF, an encrypted one) shows why on its page, in the API's JSON and in the upload status, in
Chinese for a Chinese visitor and in English for an English one, worded from
web/templates/i18n/errors.*.json; the stored reason is a key line, never shown raw."""
import argparse
import html
import json
import os
import re

from web_harness import SOURCE_DIR, Checker, Client, Server

PASSWORD = "correct horse 1"
DAMAGED_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\nxref\ntrailer<<>>\n%%EOF\n"
# A PDF whose trailer names an /Encrypt dictionary with a security handler nobody has.
ENCRYPTED_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                 b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
                 b"3 0 obj<</Filter/NoSuchHandler/V 4/R 4/Length 128>>endobj\n"
                 b"trailer<</Root 1 0 R/Encrypt 3 0 R/ID[<00><00>]>>\n%%EOF\n")


def words(lang):
    with open(os.path.join(SOURCE_DIR, "web", "templates", "i18n", "errors.%s.json" % lang), encoding="utf-8") as f:
        return json.load(f)


def fixed_parts(text):
    """The words of a table entry without its {parameters}, each at least 2 characters."""
    return [p for p in re.split(r"\{[a-z_]+\}", text) if len(p.strip(" ()（）：:，,")) >= 2]


def has_cjk(s):
    return re.search(r"[\u4e00-\u9fff]", s) is not None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--wenku", required=True)
    args = p.parse_args()
    c = Checker()
    zh_words, en_words = words("zh-CN"), words("en")
    with Server(args.wenku) as srv:
        owner = Client(srv.base, "zh-CN")
        c.eq(owner.register("owner", PASSWORD).status, 303, "register")
        for name, body in (("损坏.pdf", DAMAGED_PDF), ("加密.pdf", ENCRYPTED_PDF)):
            r = owner.upload(name, body)
            c.expect(r.status in (200, 201, 202), "%s uploaded: %d %s" % (name, r.status, r.text[:200]))
            if r.status not in (200, 201, 202):
                continue
            doc = r.json()["id"]
            info = srv.wait_done(owner, doc)
            c.eq(info["status"], "failed", name + " fails")
            reason = {}
            for lang in ("zh-CN", "en"):
                owner.lang = lang
                api = owner.get("/api/v1/documents/%d" % doc).json()["error"] or ""
                page = html.unescape(owner.get("/d/%d" % doc).text)
                m = re.search(r'<p class="notice error">(.*?)</p>', page, re.S)
                shown = m.group(1) if m else ""
                print("%s %s: api=%r page=%r" % (name, lang, api, shown))
                c.expect(api and "err:" not in api, "%s %s: the API's reason is worded: %r" % (name, lang, api))
                c.expect(api in shown, "%s %s: the page shows the API's reason: %r in %r" % (name, lang, api, shown))
                reason[lang] = api
            c.expect(has_cjk(reason["zh-CN"]), name + ": Chinese reason in Chinese: " + reason["zh-CN"])
            c.expect(not has_cjk(reason["en"]), name + ": English reason in English: " + reason["en"])
            # The reason is one entry of the table, worded in each language.
            keys = [k for k, v in en_words.items() if fixed_parts(v) and all(part in reason["en"] for part in fixed_parts(v))]
            c.expect(any(all(part in reason["zh-CN"] for part in fixed_parts(zh_words[k])) for k in keys),
                     "%s: the two reasons are one key's words (%s)" % (name, keys))
            if name == "加密.pdf":
                c.expect(any("encrypt" in k for k in keys), "the encrypted PDF says so: %s" % keys)
            # The upload status page words it too.
            owner.lang = "en"
            status = html.unescape(owner.get("/upload/batch?ids=%d" % doc).text)
            c.expect(reason["en"] in status, "%s: upload status in English has the reason" % name)
            owner.lang = "zh-CN"
            status = html.unescape(owner.get("/upload/batch?ids=%d" % doc).text)
            c.expect(reason["zh-CN"] in status, "%s: upload status in Chinese has the reason" % name)
            # And the owner's own list (/me), where the stored key line must never show raw.
            for lang in ("zh-CN", "en"):
                owner.lang = lang
                me = html.unescape(owner.get("/me").text)
                c.expect(reason[lang] in me, "%s: /me in %s has the reason" % (name, lang))
                c.expect("err:" not in me, "%s: /me in %s shows no raw key line" % (name, lang))
    c.finish("web_error_words")


if __name__ == "__main__":
    main()
