package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/internal/estest"
	"github.com/presscrawl/presscrawl/internal/newssite"
)

// archiveCount is the number of documents behind an alias, after a refresh.
func archiveCount(t *testing.T, base, alias string) int {
	t.Helper()
	res, err := http.Post(base+"/"+alias+"/_refresh", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	res, err = http.Get(base + "/" + alias + "/_count")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Count int `json:"count"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Count
}

// A crawl with --index elasticsearch indexes every article of the synthetic
// site once; a second crawl leaves the count as it was; search, stats and
// export answer from the archive as they do from the local index.
func TestCrawlIntoArchive(t *testing.T) {
	es, alias := estest.URL(t), estest.Alias(t)
	site := newssite.Start(newssite.Options{English: 150, Arabic: 50})
	defer site.Close()
	dir := t.TempDir()
	esArgs := []string{"--index", "elasticsearch", "--es-url", es, "--es-index", alias}
	args := append([]string{"crawl", "--data-dir", dir, "--delay", "0", "--progress-interval", "0"}, append(esArgs, site.URL+"/")...)
	code, _, stderr := runCtx(t, context.Background(), args...)
	if code != 0 || !strings.Contains(stderr, fmt.Sprintf("archive: delivered %d, rejected 0, pending 0", len(site.Articles))) {
		t.Fatalf("crawl: exit %d\n%s", code, stderr)
	}
	checkArchive(t, dir, site)
	if n := archiveCount(t, es, alias); n != len(site.Articles) {
		t.Fatalf("%d documents in the archive, want the %d articles", n, len(site.Articles))
	}
	code, _, stderr = runCtx(t, context.Background(), args...)
	if code != 0 || !strings.Contains(stderr, "archive: delivered 0, rejected 0, pending 0") {
		t.Fatalf("second crawl: exit %d\n%s", code, stderr)
	}
	if n := archiveCount(t, es, alias); n != len(site.Articles) {
		t.Fatalf("%d documents after a second crawl, want %d", n, len(site.Articles))
	}

	local := []string{"--data-dir", dir}
	for _, cmd := range [][]string{
		{"stats", "--by", "month", "--json"}, {"stats", "--by", "day", "--json"}, {"stats", "--by", "language", "--json"},
		{"stats", "--by", "site", "--json"}, {"stats", "--by", "author", "--json", "--top", "5"},
		{"stats", "--by", "section", "--json", "language:ar"}, {"export"}, {"export", "--format", "csv", "language:ar"},
		{"search", "--sort", "-date", "--since", "2024-02-01", "--until", "2024-02-29", "--limit", "5", "--offset", "3", "language:en"},
		{"search", "--sort", "date", "--limit", "4", "language:ar"},
	} {
		c1, fromArchive, e1 := runCtx(t, context.Background(), append(cmd, esArgs...)...)
		c2, fromLocal, _ := runCtx(t, context.Background(), append(cmd, local...)...)
		if c1 != 0 || c2 != 0 || fromArchive != fromLocal || fromArchive == "" {
			t.Errorf("%s: archive (exit %d) and local (exit %d) differ:\n%s\n--\n%s\n%s", strings.Join(cmd, " "), c1, c2, fromArchive, fromLocal, e1)
		}
	}
	a := site.Articles[3]
	for _, ref := range []string{site.URL + a.Path + "?utm_source=newsletter", idOf(site.URL + a.Path)} {
		c1, fromArchive, _ := runCtx(t, context.Background(), append([]string{"show", ref}, esArgs...)...)
		c2, fromLocal, _ := runCtx(t, context.Background(), "show", "--data-dir", dir, ref)
		if c1 != 0 || c2 != 0 || fromArchive != fromLocal || !strings.Contains(fromLocal, a.Title) || !strings.Contains(fromLocal, a.Word) {
			t.Errorf("show %s: archive (exit %d) and local (exit %d):\n%s\n--\n%s", ref, c1, c2, fromArchive, fromLocal)
		}
	}
	for q, want := range map[string]int{a.Word: 1, "language:ar": 50, "language:AR": 50, "المحادثات": 50, "محادثات": 50, `"regional affairs" AND language:en`: 150} {
		code, out, stderr := runCtx(t, context.Background(), append([]string{"search", "--json", "--limit", "1"}, append(esArgs, q)...)...)
		if code != 0 || !strings.Contains(stderr, fmt.Sprintf("of %d matching", want)) || len(decodeLines(t, out)) != 1 {
			t.Errorf("search %s in the archive: exit %d, %s", q, code, stderr)
		}
	}
	code, _, stderr = runCtx(t, context.Background(), append([]string{"search"}, append(esArgs, "title:(")...)...)
	if code != 2 || !strings.Contains(stderr, "bad query") {
		t.Errorf("malformed query: exit %d %s", code, stderr)
	}
	code, out, _ := runCtx(t, context.Background(), append([]string{"index", "status", "--data-dir", dir}, esArgs[2:]...)...)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("pending\t0\nrejected\t0\narchive\t%d", len(site.Articles))) {
		t.Errorf("index status: exit %d\n%s", code, out)
	}
}

// A data dir crawled offline is delivered by index push; push --all sends
// everything again without duplicating anything. An archive that does not
// answer during a crawl costs nothing: the records wait in the data dir,
// the crawl says so and fails, and push delivers them later.
func TestIndexPushAndUnreachableArchive(t *testing.T) {
	es, alias := estest.URL(t), estest.Alias(t)
	site := newssite.Start(newssite.Options{English: 40, Arabic: 10})
	defer site.Close()
	dir := t.TempDir()
	code, _, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", dir, "--delay", "0", "--index", "elasticsearch",
		"--es-url", "http://127.0.0.1:1", "--es-index", alias, "--es-wait", "1s", site.URL+"/")
	if code != 1 || !strings.Contains(stderr, "unreachable") || !strings.Contains(stderr, fmt.Sprintf("%d records not delivered", len(site.Articles))) ||
		!strings.Contains(stderr, "index push") {
		t.Fatalf("crawl with the archive down: exit %d, want 1 naming the records left and index push\n%s", code, stderr)
	}
	checkArchive(t, dir, site) // nothing lost locally
	esArgs := []string{"--es-url", es, "--es-index", alias}
	code, out, _ := runCtx(t, context.Background(), append([]string{"index", "status", "--data-dir", dir}, esArgs...)...)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("pending\t%d", len(site.Articles))) {
		t.Errorf("status before push: exit %d\n%s", code, out)
	}
	code, _, stderr = runCtx(t, context.Background(), append([]string{"index", "push", "--data-dir", dir}, esArgs...)...)
	if code != 0 || !strings.Contains(stderr, fmt.Sprintf("delivered %d, rejected 0, pending 0", len(site.Articles))) {
		t.Fatalf("push: exit %d\n%s", code, stderr)
	}
	code, _, stderr = runCtx(t, context.Background(), append([]string{"index", "push", "--all", "--data-dir", dir}, esArgs...)...)
	if code != 0 || !strings.Contains(stderr, fmt.Sprintf("delivered %d", len(site.Articles))) {
		t.Fatalf("push --all: exit %d\n%s", code, stderr)
	}
	if n := archiveCount(t, es, alias); n != len(site.Articles) {
		t.Errorf("%d documents, want %d", n, len(site.Articles))
	}
	code, _, stderr = runCtx(t, context.Background(), append([]string{"index", "setup"}, esArgs...)...)
	if code != 0 || !strings.Contains(stderr, "ready") {
		t.Errorf("setup again: exit %d %s", code, stderr)
	}
	code, _, stderr = runCtx(t, context.Background(), "search", "--index", "elasticsearch", "--es-url", "http://127.0.0.1:1", "x")
	if code != 1 || !strings.Contains(stderr, "archive unreachable") {
		t.Errorf("search with the archive down: exit %d %s", code, stderr)
	}
	code, _, stderr = runCtx(t, context.Background(), "search", "--index", "solr", "x")
	if code != 2 || !strings.Contains(stderr, "want local or elasticsearch") {
		t.Errorf("--index solr: exit %d %s", code, stderr)
	}
}

// The archive stopped for 30 s in the middle of a crawl and started again:
// the crawl goes on, says so once each way, and every record arrives, none
// twice.
func TestArchiveOutageMidCrawl(t *testing.T) {
	if testing.Short() {
		t.Skip("restarts a search node")
	}
	node := estest.Start(t)
	alias := estest.Alias(t)
	site := newssite.Start(newssite.Options{English: 150, Arabic: 50})
	defer site.Close()
	var mu sync.Mutex
	articles := 0
	outage := make(chan struct{})
	site.OnHit(func(path string) {
		if strings.Count(path, "/") >= 5 && !strings.Contains(path, "?") {
			mu.Lock()
			articles++
			if articles == 40 {
				close(outage)
			}
			mu.Unlock()
		}
	})
	restarted := make(chan error, 1)
	go func() {
		<-outage
		node.Stop()
		time.Sleep(30 * time.Second)
		restarted <- node.Restart()
	}()
	dir := t.TempDir()
	code, _, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", dir, "--delay", "20ms", "--parallelism", "2",
		"--progress-interval", "0", "--index", "elasticsearch", "--es-url", node.URL, "--es-index", alias, "--es-wait", "5m", site.URL+"/")
	if err := <-restarted; err != nil {
		t.Fatal(err)
	}
	if code != 0 || !strings.Contains(stderr, "records are kept in the data dir") || !strings.Contains(stderr, "answers again") ||
		!strings.Contains(stderr, "pending 0") {
		t.Fatalf("crawl through an outage: exit %d\n%s", code, stderr)
	}
	if n := archiveCount(t, node.URL, alias); n != len(site.Articles) {
		t.Errorf("%d documents after the outage, want %d", n, len(site.Articles))
	}
	t.Logf("%s", stderr)
}

// kill -9 mid-crawl with delivery, then the same command: the archive holds
// every article exactly once.
func TestArchiveKill9MidCrawl(t *testing.T) {
	bin := binary(t)
	es, alias := estest.URL(t), estest.Alias(t)
	site := newssite.Start(newssite.Options{English: 200, Arabic: 50})
	defer site.Close()
	dir := t.TempDir()
	args := []string{"crawl", "--data-dir", dir, "--delay", "5ms", "--parallelism", "2", "--progress-interval", "0",
		"--index", "elasticsearch", "--es-url", es, "--es-index", alias, site.URL + "/"}
	killAfterArticles(t, bin, args, site, 120)
	before := archiveCount(t, es, alias)
	code, _, errOut := runCtx(t, context.Background(), args...)
	if code != 0 || !strings.Contains(errOut, "pending 0") {
		t.Fatalf("second run: exit %d\n%s", code, errOut)
	}
	if n := archiveCount(t, es, alias); n != len(site.Articles) {
		t.Errorf("%d documents after kill -9 and a second run, want %d", n, len(site.Articles))
	}
	t.Logf("%d documents in the archive at the kill", before)
}

// kibana setup names what it needs; the API calls themselves are tested in
// package kibana against servers that answer as the documented APIs do.
func TestKibanaSetupUsage(t *testing.T) {
	for _, args := range [][]string{{"kibana", "setup"}, {"kibana", "setup", "--kibana-url", "http://a:5601", "--dashboards-url", "http://b:5601"}} {
		code, _, stderr := runCtx(t, context.Background(), args...)
		if code != 2 || !strings.Contains(stderr, "--kibana-url") {
			t.Errorf("%v: exit %d %q", args, code, stderr)
		}
	}
	code, _, stderr := runCtx(t, context.Background(), "kibana", "setup", "--wait", "0", "--kibana-url", "http://127.0.0.1:1")
	if code != 1 || !strings.Contains(stderr, "Kibana at http://127.0.0.1:1") {
		t.Errorf("Kibana down: exit %d %q", code, stderr)
	}
	// Elastic Cloud: the id names Kibana's address ("localhost:1$es$kb").
	cloud := "deployment:" + base64.StdEncoding.EncodeToString([]byte("localhost:1$es0$kb0"))
	code, _, stderr = runCtx(t, context.Background(), "kibana", "setup", "--wait", "0", "--es-cloud-id", cloud)
	if code != 1 || !strings.Contains(stderr, "Kibana at https://kb0.localhost:1") {
		t.Errorf("Kibana from the cloud id: exit %d %q", code, stderr)
	}
	code, _, stderr = runCtx(t, context.Background(), "kibana", "setup", "--es-cloud-id", "deployment:bm8tZG9sbGFy")
	if code != 2 || !strings.Contains(stderr, "es.cloud_id") {
		t.Errorf("a bad cloud id: exit %d %q", code, stderr)
	}
	code, _, stderr = runCtx(t, context.Background(), "search", "--index", "elasticsearch", "--es-cloud-id", cloud, "--es-url", "http://127.0.0.1:1", "x")
	if code != 2 || !strings.Contains(stderr, "--es-cloud-id: give es.cloud_id or es.url") {
		t.Errorf("cloud id and url: exit %d %q", code, stderr)
	}
}

// Edited articles in the archive: the current records stay one per
// article behind the alias, the earlier versions go to <alias>-versions
// (ids <id>-v<n>), each once; history, diff and export --versions answer
// from the archive as from the data dir.
func TestVersionsInArchive(t *testing.T) {
	es, alias := estest.URL(t), estest.Alias(t)
	site := newssite.Start(newssite.Options{English: 10, Arabic: 4})
	defer site.Close()
	dir := t.TempDir()
	esArgs := []string{"--index", "elasticsearch", "--es-url", es, "--es-index", alias}
	args := append([]string{"crawl", "--data-dir", dir, "--delay", "0", "--progress-interval", "0"}, append(esArgs, site.URL+"/")...)
	if code, _, stderr := runCtx(t, context.Background(), args...); code != 0 {
		t.Fatalf("crawl: exit %d\n%s", code, stderr)
	}
	ar := 10                            // the first Arabic article
	time.Sleep(1100 * time.Millisecond) // the sitemap dates edits to the second
	site.Edit(0, newssite.Edit{Title: "Officials deny the report"})
	site.Edit(ar, newssite.Edit{Replace: [2]string{site.Articles[ar].Word, "مصحح"}})
	code, _, stderr := runCtx(t, context.Background(), args...)
	if code != 0 || !strings.Contains(stderr, "new versions 2,") || !strings.Contains(stderr, "archive: delivered 4, rejected 0, pending 0") {
		t.Fatalf("second crawl: exit %d, want 2 records and 2 earlier versions delivered\n%s", code, stderr)
	}
	if n := archiveCount(t, es, alias); n != len(site.Articles) {
		t.Errorf("%d documents behind the alias, want the %d articles once each", n, len(site.Articles))
	}
	if n := archiveCount(t, es, alias+"-versions"); n != 2 {
		t.Errorf("%d documents in %s-versions, want 2", n, alias)
	}
	res, err := http.Get(es + "/" + alias + "-versions/_doc/" + idOf(site.URL+site.Articles[0].Path) + "-v1")
	if err != nil || res.StatusCode != 200 {
		t.Errorf("version 1 of the first article by its id: %v %v", res.StatusCode, err)
	}
	res.Body.Close()
	for _, cmd := range [][]string{
		{"history", "--json", site.URL + site.Articles[0].Path}, {"history", site.URL + site.Articles[ar].Path},
		{"diff", "--format", "json", site.URL + site.Articles[ar].Path}, {"diff", site.URL + site.Articles[0].Path},
		{"export", "--versions"}, {"search", "--json", "--sort", "date", "versions:>1"},
	} {
		c1, fromArchive, e1 := runCtx(t, context.Background(), append(cmd, esArgs...)...)
		c2, fromLocal, _ := runCtx(t, context.Background(), append(cmd, "--data-dir", dir)...)
		if c1 != 0 || c2 != 0 || fromArchive != fromLocal || fromArchive == "" {
			t.Errorf("%s: archive (exit %d) and local (exit %d) differ:\n%s\n--\n%s\n%s", strings.Join(cmd, " "), c1, c2, fromArchive, fromLocal, e1)
		}
	}
	// Nothing changed: nothing delivered again; push --all again: the same
	// documents, none twice.
	if code, _, stderr := runCtx(t, context.Background(), args...); code != 0 || !strings.Contains(stderr, "archive: delivered 0, rejected 0, pending 0") {
		t.Errorf("third crawl: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCtx(t, context.Background(), append([]string{"index", "push", "--all", "--data-dir", dir}, esArgs[2:]...)...); code != 0 {
		t.Errorf("push --all: exit %d\n%s", code, stderr)
	}
	if n, v := archiveCount(t, es, alias), archiveCount(t, es, alias+"-versions"); n != len(site.Articles) || v != 2 {
		t.Errorf("after push --all: %d records, %d versions, want %d and 2", n, v, len(site.Articles))
	}
}
