package stories

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// devTexts are the texts of the development set's 990 distinct articles,
// extracted by extractFn (set by extract_test.go's init in the external
// test package, which can import extract).
var devTexts = sync.OnceValues(func() ([]string, error) {
	dir := filepath.Join("..", "..", "shared", "datasets", "trafilatura-eval")
	b, err := os.ReadFile(filepath.Join(dir, "cases.json"))
	if err != nil {
		return nil, err
	}
	var cases []struct {
		URL  string `json:"url"`
		File string `json:"file"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		return nil, err
	}
	var out []string
	for _, c := range cases {
		raw, err := os.ReadFile(filepath.Join(dir, c.File))
		if err != nil {
			return nil, err
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		page, _ := io.ReadAll(zr)
		out = append(out, extractFn(page, c.URL))
	}
	return out, nil
})

// extractFn extracts a page's text; the external test package sets it.
var extractFn = func(page []byte, url string) string { return "" }

func devArticles(t *testing.T) ([]string, [][]string) {
	t.Helper()
	texts, err := devTexts()
	if err != nil {
		t.Skipf("development set not available: %v", err)
	}
	var cases [][]string
	for _, tx := range texts {
		var ps []string
		for _, p := range strings.Split(tx, "\n\n") {
			if len(strings.Fields(p)) >= 12 {
				ps = append(ps, p)
			}
		}
		if len(ps) >= 6 && len(strings.Fields(strings.Join(ps, " "))) >= 250 {
			cases = append(cases, ps)
		}
	}
	return texts, cases
}

func TestGroupingOnLabelledSet(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("the labelled set extracts the development set: not in -short mode or under the race detector (make test runs it without)")
	}
	_, cases := devArticles(t)
	GroupingOnLabelledSet(t, cases)
}

// The 990 dev-set pages are distinct articles: any group formed among them
// is a false positive, listed here.
func TestDevSetFormsNoGroups(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("extracts the development set: not in -short mode or under the race detector (make test runs it without)")
	}
	texts, _ := devArticles(t)
	m := NewMemory()
	groups := map[string][]int{}
	signed := 0
	for i, tx := range texts {
		id := string(rune('a'+i%26)) + strings.Repeat("x", i/26) // any distinct id
		if _, ok := Of(tx); ok {
			signed++
		}
		s := m.Add(id, tx)
		groups[s] = append(groups[s], i)
	}
	var formed [][]int
	for _, g := range groups {
		if len(g) > 1 {
			formed = append(formed, g)
		}
	}
	t.Logf("%d dev-set pages, %d with a signature: %d groups of several formed", len(texts), signed, len(formed))
	for _, g := range formed {
		var firsts []string
		for _, i := range g {
			firsts = append(firsts, strings.Join(strings.Fields(texts[i]), " ")[:min(80, len(strings.Join(strings.Fields(texts[i]), " ")))])
		}
		t.Logf("  pages %v: %q", g, firsts)
	}
	if len(formed) > 3 {
		t.Errorf("%d groups among distinct articles (floor 3)", len(formed))
	}
}

// BenchmarkOf times a signature over the development set's article
// texts: what grouping adds to each record stored (beside its lookups).
//
//	go test ./stories -run '^$' -bench Of -benchmem
func BenchmarkOf(b *testing.B) {
	texts, err := devTexts()
	if err != nil {
		b.Skip(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Of(texts[i%len(texts)])
	}
}

// BenchmarkWire times the wire credit search over the same texts.
func BenchmarkWire(b *testing.B) {
	texts, err := devTexts()
	if err != nil {
		b.Skip(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Wire(texts[i%len(texts)])
	}
}
