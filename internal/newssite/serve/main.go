// Command serve runs the synthetic news site on a local address, for trying
// presscrawl without network and for crawl benchmarks:
//
//	go run ./internal/newssite/serve -english 1000 -arabic 0
//	presscrawl crawl --delay 0 http://127.0.0.1:8089/
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http/httptest"
	"os"
	"os/signal"
	"syscall"

	"github.com/presscrawl/presscrawl/internal/newssite"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8089", "address to listen on")
	en := flag.Int("english", 300, "English articles")
	ar := flag.Int("arabic", 100, "Arabic articles")
	shells := flag.Bool("shells", false, "serve the English articles as application shells (an empty #app an inline script fills): --render benchmarks")
	pregen := flag.Bool("pregenerate", false, "render every article page before serving (benchmarks: the site must not be the bottleneck)")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen %s: %v", *addr, err)
	}
	site := newssite.Start(newssite.Options{English: *en, Arabic: *ar, Shells: *shells})
	site.Close() // replace the test listener with the requested address
	site.URL = "http://" + ln.Addr().String()
	if *pregen {
		site.Pregenerate()
	}
	srv := httptest.NewUnstartedServer(site.Config.Handler)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	site.URL = srv.URL
	fmt.Printf("synthetic news site with %d articles at %s/ (Ctrl-C to stop)\n", len(site.Articles), srv.URL)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	srv.Close()
	// What a benchmark needs to know: duplicate fetches.
	hits := site.AllHits()
	requests, twice := 0, 0
	for p, n := range hits {
		requests += n
		if n > 1 && p != "/robots.txt" && p != newssite.FlakyPath {
			twice++
		}
	}
	fmt.Printf("served %d requests for %d paths; paths fetched more than once: %d\n", requests, len(hits), twice)
}
