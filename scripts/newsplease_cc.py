#!/usr/bin/env python3
"""news-please's CC-NEWS extractor over local WARC files, for a side-by-side
with `presscrawl reextract` (docs/web-archives.md). news-please downloads
each file first; here the file is put where its download would go, so it
reads the local copy. Usage: scripts/newsplease_cc.py FILE.warc.gz...
Prints the articles passed, discarded and failed, and the time taken."""
import logging, os, sys, tempfile, time, urllib.parse
from newsplease.crawler import commoncrawl_crawler  # imports the extractor (importing it first is circular)
CommonCrawlExtractor = commoncrawl_crawler.CommonCrawlExtractor

passed = 0
def on_article(article):
    global passed
    passed += 1

totals = {"passed": 0, "discarded": 0, "errors": 0, "total": 0}
def on_warc(path, n_passed, n_discarded, n_errors, n_total):
    totals["passed"] += n_passed; totals["discarded"] += n_discarded
    totals["errors"] += n_errors; totals["total"] += n_total

start = time.time()
for f in sys.argv[1:]:
    d = tempfile.mkdtemp()
    path = "crawl-data/CC-NEWS/" + os.path.basename(f)
    os.symlink(os.path.abspath(f), os.path.join(d, urllib.parse.quote_plus(path)))
    CommonCrawlExtractor().extract_from_commoncrawl(path, on_article, callback_on_warc_completed=on_warc,
        local_download_dir_warc=d, reuse_previously_downloaded_files=True, delete_warc_after_extraction=False,
        strict_date=False, continue_after_error=True, log_level=logging.ERROR)
took = time.time() - start
print("news-please: %(total)d responses, %(passed)d articles passed, %(discarded)d discarded, %(errors)d errors" % totals,
      "in %.1f s: %.1f responses/s, %.1f articles/s" % (took, totals["total"] / took, totals["passed"] / took))
