// Command servebench measures a running presscrawl serve
// (scripts/servebench.sh): the latency of /api/search and of the search
// page, one client at a time (p50, p95, p99 over a mix of queries), then
// with 20 clients at once, and the server's memory (VmRSS, VmHWM of -pid)
// idle and under the load.
//
//	go run ./internal/servebench -url http://127.0.0.1:8090/ -pid 1234
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// queries are what researchers type: words, phrases, Arabic, fields,
// negation, OR, date orders and ranges, facet filters.
var queries = []url.Values{
	{"q": {"minister"}},
	{"q": {"border security"}},
	{"q": {`"water prices"`}},
	{"q": {`"minister said"`}},
	{"q": {"talks"}, "sort": {"-date"}},
	{"q": {"الوزير"}},
	{"q": {"المحادثات الطاقة"}},
	{"q": {"election OR vote"}},
	{"q": {"climate -drought"}},
	{"q": {"language:ar"}},
	{"q": {"section:Politics"}, "sort": {"-date"}},
	{"q": {"budget"}, "since": {"2023-01-01"}, "until": {"2023-06-30"}},
	{"q": {"trade"}, "f": {`site_name:"News 07"`}},
	{"q": {"harvest"}, "sort": {"date"}, "offset": {"40"}},
	{"q": {""}},
	{"q": {"parliament"}, "f": {`language:"en"`, `section:"Economy"`}},
	{"q": {"text_en:negotiate"}},
	{"q": {"port"}, "f": {`authors:"Layla Haddad"`}},
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8090/", "the server")
	pid := flag.Int("pid", 0, "the server's process id, for its memory")
	rounds := flag.Int("rounds", 20, "passes over the queries, one client")
	clients := flag.Int("clients", 20, "clients at once, for the load")
	flag.Parse()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: time.Minute}
	get := func(path string) time.Duration {
		t0 := time.Now()
		res, err := client.Get(strings.TrimSuffix(*base, "/") + path)
		if err != nil {
			log.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || n == 0 {
			log.Fatalf("%s: %d", path, res.StatusCode)
		}
		return time.Since(t0)
	}
	fmt.Printf("server idle at start: %s\n", memory(*pid))
	// warm: each query once (the first search after start opens the index)
	for _, q := range queries {
		get("/api/search?" + q.Encode())
	}
	for _, kind := range []struct{ name, path string }{{"/api/search", "/api/search?"}, {"search page (/)", "/?"}} {
		var ds, first []time.Duration
		each := make([][]time.Duration, len(queries))
		for r := range *rounds {
			for i, q := range queries {
				d := get(kind.path + q.Encode())
				ds = append(ds, d)
				each[i] = append(each[i], d)
				if r == 0 {
					first = append(first, d)
				}
			}
		}
		fmt.Printf("%-18s 1 client:   %s\n", kind.name, summary(ds))
		// the page's facets are kept a minute: its first view counts them
		fmt.Printf("%-18s first views: %s\n", "", summary(first))
		for i, q := range queries {
			slices.Sort(each[i])
			if p50 := each[i][len(each[i])/2]; p50 > 50*time.Millisecond {
				fmt.Printf("    p50 %v: %s\n", p50.Round(time.Millisecond), q.Encode())
			}
		}
	}
	fmt.Printf("server idle after:   %s\n", memory(*pid))
	for _, kind := range []struct{ name, path string }{{"/api/search", "/api/search?"}, {"search page (/)", "/?"}} {
		var mu sync.Mutex
		var ds []time.Duration
		var wg sync.WaitGroup
		t0 := time.Now()
		for c := range *clients {
			wg.Go(func() {
				for i := range len(queries) * 3 {
					d := get(kind.path + queries[(c+i)%len(queries)].Encode())
					mu.Lock()
					ds = append(ds, d)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		el := time.Since(t0)
		fmt.Printf("%-18s %d clients: %s, %.0f requests/s\n", kind.name, *clients, summary(ds), float64(len(ds))/el.Seconds())
	}
	fmt.Printf("server after the load: %s\n", memory(*pid))
}

func summary(ds []time.Duration) string {
	slices.Sort(ds)
	at := func(p float64) time.Duration {
		return ds[min(int(p*float64(len(ds))), len(ds)-1)].Round(100 * time.Microsecond)
	}
	return fmt.Sprintf("n=%d p50 %v p95 %v p99 %v max %v", len(ds), at(0.50), at(0.95), at(0.99), ds[len(ds)-1].Round(time.Millisecond))
}

// memory is a process's resident memory now and at its peak.
func memory(pid int) string {
	if pid == 0 {
		return "(no -pid)"
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return err.Error()
	}
	v := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 {
			v[strings.TrimSuffix(f[0], ":")] = f[1]
		}
	}
	// RssFile: pages of the index's files mapped in (the page cache,
	// reclaimable); RssAnon: the process's own memory
	return fmt.Sprintf("RSS %s KB (anon %s KB, files %s KB), peak %s KB", v["VmRSS"], v["RssAnon"], v["RssFile"], v["VmHWM"])
}
