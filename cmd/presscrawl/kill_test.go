package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/index/local"
	"github.com/presscrawl/presscrawl/internal/newssite"
)

// kill -9 mid-crawl, then the same command again: every article stored,
// none twice. The process is the real binary; the kill gives it no chance to
// flush or close anything.
func TestKill9MidCrawlLosesNothing(t *testing.T) {
	bin := binary(t)
	site := newssite.Start(newssite.Options{English: 300, Arabic: 100})
	defer site.Close()
	dir := t.TempDir()
	args := []string{"crawl", "--data-dir", dir, "--delay", "5ms", "--parallelism", "2", "--progress-interval", "0", site.URL + "/"}

	killAfterArticles(t, bin, args, site, 150)
	before := site.AllHits()

	code, _, errOut := runCtx(t, context.Background(), args...)
	if code != 0 || !strings.Contains(errOut, "crawl finished (resumed)") {
		t.Fatalf("second run: exit %d\n%s", code, errOut)
	}
	checkArchive(t, dir, site)
	store, err := local.Open(dir) // the search index, maybe behind after the kill, is reconciled
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range site.Articles {
		if _, total, err := store.Search(context.Background(), a.Word, 1); err != nil || total != 1 {
			t.Errorf("search %q after the kill: %d hits, %v", a.Word, total, err)
		}
	}
	store.Close()
	// Each article fetched once, except those in flight at the kill (at most
	// the parallelism, plus the writes not yet committed): fetched twice at most.
	after := site.AllHits()
	twice := 0
	for _, a := range site.Articles {
		switch n := after[a.Path]; {
		case a.Path == newssite.FlakyPath:
		case n == 2 && before[a.Path] == 1:
			twice++
		case n != 1:
			t.Errorf("%s fetched %d times", a.Path, n)
		}
	}
	if twice > 20 {
		t.Errorf("%d articles fetched again after the kill; only those in flight should be", twice)
	}
	t.Logf("killed after %d article fetches; refetched after the kill: %d", 150, twice)
}

// killAfterArticles runs the binary with args and kills it (SIGKILL: no
// chance to flush or close anything) once the site has served n article
// pages; it fails the test if the crawl finished first.
func killAfterArticles(t *testing.T, bin string, args []string, site *newssite.Site, n int) {
	t.Helper()
	var mu sync.Mutex
	articles := 0
	killAt := make(chan struct{})
	site.OnHit(func(path string) {
		if strings.Count(path, "/") >= 5 && !strings.Contains(path, "?") {
			mu.Lock()
			articles++
			if articles == n {
				close(killAt)
			}
			mu.Unlock()
		}
	})
	defer site.OnHit(nil)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-killAt:
	case <-time.After(3 * time.Minute):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the crawl never reached %d articles", n)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if strings.Contains(stderr.String(), "crawl finished") {
		t.Fatal("the crawl finished before the kill: nothing was tested")
	}
}
