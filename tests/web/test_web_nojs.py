"""Without JavaScript (issue 5, acceptance 4): a client that only reads HTML and follows
links and forms — like a browser with scripts off, or a search engine — can upload, read a
document (page images, 点击查看更多 as a plain link, 资源描述, 展开阅读全文 as <details>) and
search (results linking to the matching page)."""
import argparse
import html
import json
import re
import time
import urllib.parse
import uuid

from web_harness import Checker, Client, Server, docx_bytes

PASSWORD = "correct horse 1"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--wenku", required=True)
    args = p.parse_args()
    c = Checker()
    with Server(args.wenku, {"preview_pages": "2"}) as srv:
        reader = Client(srv.base)
        c.eq(reader.register("reader", PASSWORD).status, 303, "register")
        # A multi-page document; 择校 only near its end.
        paras = ["第%d段：机关工作总结，教育教学质量稳步提升，各项工作有序推进。" % i for i in range(1, 160)]
        paras[0] += "课后服务另行安排。"  # once on the first page, three times on the last
        paras.append("最后一段专门讨论义务教育阶段的择校问题，以及课后服务的时间、课后服务的内容和课后服务的收费。")
        form = reader.get("/upload").text
        action = html.unescape(re.search(r'<form id="upload-form" action="([^"]+)"', form).group(1))
        boundary = "----nojs" + uuid.uuid4().hex
        body = (("--%s\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n无脚本上传的文档\r\n" % boundary).encode() +
                ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"总结.docx\"\r\n"
                 "Content-Type: application/octet-stream\r\n\r\n" % boundary).encode() + docx_bytes(paras) +
                ("\r\n--%s--\r\n" % boundary).encode())
        r = reader.request("POST", action, body, content_type="multipart/form-data; boundary=" + boundary)
        c.eq(r.status, 303, "plain form upload")
        loc = r.headers.get("Location", "")
        m = re.match(r"^/d/(\d+)$", loc)
        c.expect(m is not None, "upload ends on the document page: " + loc)
        doc = int(m.group(1))
        info = srv.wait_done(reader, doc)
        c.eq(info["status"], "ready", "processed")
        c.expect(info["pages"] >= 3, "several pages: %d" % info["pages"])
        for _ in range(300):  # the pages after the first few are rendered in the background
            info = reader.get("/api/v1/documents/%d" % doc).json()
            if info["preview_pages"] >= info["pages"]:
                break
            time.sleep(0.2)

        guest = Client(srv.base)
        page = guest.get("/d/%d" % doc).text
        figures = re.findall(r'<figure class="page" id="page-(\d+)"', page)
        c.eq(figures, ["1", "2"], "the first preview_pages pages")
        c.expect("第1页 / 共%d页" % info["pages"] in page, "caption 第1页 / 共N页")
        c.expect('alt="无脚本上传的文档_第1页"' in page, "alt 标题_第N页")
        more = re.search(r'<a class="more-pages" href="([^"]+)">点击查看更多&gt;&gt;</a>', page)
        c.expect(more is not None, "点击查看更多 is a plain link")
        full = guest.get(html.unescape(more.group(1)).split("#")[0]).text
        figures_all = re.findall(r'<figure class="page" id="page-(\d+)"', full)
        c.expect(len(figures_all) == info["pages"], "the link shows every page: %r" % figures_all)
        for n in figures_all:
            r = guest.get("/api/v1/documents/%d/pages/%s" % (doc, n))
            c.expect(r.status == 200 and r.headers.get("Content-Type") == "image/webp", "page image %s" % n)
        # The reader without JavaScript: the page box is a GET form that lands on the page's
        # anchor; each page's text is in the HTML; 显示文字 is a link.
        r = guest.get("/d/%d?jump=1&p=2" % doc)
        c.eq((r.status, r.headers.get("Location")), (303, "/d/%d?p=2#page-2" % doc), "page box without JS")
        c.expect('<form class="reader-bar" action="/d/%d" method="get"' % doc in page, "the page box is a plain form")
        c.expect(page.count('<div class="page-text"') == 2, "each shown page carries its text")
        c.expect('class="previews show-text"' in guest.get("/d/%d?text=1" % doc).text, "显示文字 without JS")
        c.expect("<h2>资源描述</h2>" in page, "资源描述")
        c.expect(re.search(r'<span class="n">1、</span>第 ?1 ?段', page) is not None, "numbered excerpts")
        c.expect("<details class=\"full-text\"><summary>展开阅读全文</summary>" in page, "展开阅读全文 without JS")
        c.expect("择校问题" in page, "the whole text is in the HTML")
        r = guest.get("/api/v1/documents/%d/pages/1" % doc)
        etag = r.headers.get("ETag")
        c.eq(guest.get("/api/v1/documents/%d/pages/1" % doc, headers={"If-None-Match": etag}).status, 304, "ETag")

        # Search through the plain GET form.
        home = guest.get("/").text
        c.expect('<form class="search-box" action="/s" method="get"' in home, "search form")
        res = guest.get("/s?q=" + urllib.parse.quote("择校")).text
        c.expect('href="/d/%d?q=' % doc in res, "search lists the document")
        pages = re.findall(r'class="match-page" href="/d/%d\?q=[^"]*p=(\d+)#page-\d+">第(\d+)页' % doc, res)
        c.expect(len(pages) >= 1, "matching page links")
        if pages:
            n = pages[0][0]
            c.expect(int(n) == info["pages"], "择校 is on the last page: %s of %d" % (n, info["pages"]))
            linked = guest.get("/d/%d?p=%s" % (doc, n)).text
            c.expect('id="page-%s"' % n in linked, "the match link shows that page")
        c.expect("<em>" in res, "highlighted snippet")
        # A word on several pages: the search API lists them best first (the last page), the
        # result page in reading order.
        res = guest.get("/s?q=" + urllib.parse.quote("课后服务")).text
        listed = [int(n) for n, _ in re.findall(r'class="match-page" href="/d/%d\?q=[^"]*p=(\d+)#page-\d+">第(\d+)页' % doc, res)]
        api = json.loads(guest.get("/api/v1/search?q=" + urllib.parse.quote("课后服务")).text)
        best = next((h["pages"] for h in api["hits"] if h["id"] == doc), [])
        c.expect(best[:1] == [info["pages"]] and len(best) >= 2, "API: best page first: %r" % best)
        c.eq(listed, sorted(best[:5]), "matching pages in reading order")
        res = guest.get("/s?q=" + urllib.parse.quote("没有这个词的查询")).text
        c.expect("没有找到与" in res, "empty state")
        gz = guest.get("/d/%d" % doc, headers={"Accept-Encoding": "gzip"})
        c.eq(gz.headers.get("Content-Encoding"), "gzip", "HTML is gzipped")
        en = Client(srv.base, lang="en-US,en;q=0.9").get("/d/%d" % doc).text
        c.expect("Show more pages" in en and "Description" in en, "English via Accept-Language")
    c.finish("web without JavaScript")


if __name__ == "__main__":
    main()
