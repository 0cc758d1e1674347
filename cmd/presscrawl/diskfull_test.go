package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presscrawl/presscrawl/index/local"
	"github.com/presscrawl/presscrawl/internal/newssite"
)

// The data dir's disk fills up mid-crawl: the crawl stops with a clear
// error and a non-zero exit; once there is room, the same command resumes
// and the archive is complete, each article once. The disk is a small
// tmpfs mounted for the test (needs root, as in CI; skipped otherwise).
func TestDiskFullStopsCleanlyAndResumes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v: %s): the disk-full test needs root", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	site := newssite.Start(newssite.Options{English: 700, Arabic: 200})
	defer site.Close()
	args := []string{"crawl", "--data-dir", dir, "--delay", "0", "--progress-interval", "0", site.URL + "/"}
	code, _, stderr := runCtx(t, context.Background(), args...)
	if code != 1 || !strings.Contains(stderr, "no space left on device") {
		t.Fatalf("disk full: exit %d, want 1 with the reason\n%s", code, stderr)
	}
	t.Logf("first run:\n%s", stderr)
	if out, err := exec.Command("mount", "-o", "remount,size=200m", dir).CombinedOutput(); err != nil {
		t.Fatalf("remount: %v %s", err, out)
	}
	code, _, stderr = runCtx(t, context.Background(), args...)
	if code != 0 {
		t.Fatalf("after freeing space: exit %d\n%s", code, stderr)
	}
	checkArchive(t, dir, site)
	// The search index, whatever state the full disk left it in, finds
	// every article.
	store, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, a := range site.Articles {
		if _, total, err := store.Search(context.Background(), a.Word, 1); err != nil || total != 1 {
			t.Errorf("search %q: %d hits, %v", a.Word, total, err)
		}
	}
}

// The WARC disk fills up mid-crawl: the crawl stops, the file being
// written stays named .open (incomplete, not a finished capture), and
// reextract reads it up to the damage, keeping every record before.
func TestWARCDiskFull(t *testing.T) {
	wdir := filepath.Join(t.TempDir(), "warc")
	if err := os.Mkdir(wdir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", wdir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v: %s): the disk-full test needs root", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", "-l", wdir).Run() })
	site := newssite.Start(newssite.Options{English: 400})
	defer site.Close()
	code, _, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", t.TempDir(), "--delay", "0", "--progress-interval", "0",
		"--warc", wdir, site.URL+"/")
	if code != 1 || !strings.Contains(stderr, "no space left on device") {
		t.Fatalf("WARC disk full: exit %d\n%s", code, stderr)
	}
	done, _ := filepath.Glob(filepath.Join(wdir, "*.warc.gz"))
	open, _ := filepath.Glob(filepath.Join(wdir, "*.warc.gz.open"))
	if len(done) != 0 || len(open) != 1 {
		t.Fatalf("WARC files after the disk filled: finished %v, open %v; want one .open", done, open)
	}
	out := t.TempDir()
	code, _, stderr = runCtx(t, context.Background(), "reextract", "--warc", wdir, "--data-dir", out)
	if code != 0 || strings.Contains(stderr, "stored 0,") {
		t.Errorf("reextract of the cut file: exit %d\n%s", code, stderr)
	}
	t.Logf("%s", stderr)
}
