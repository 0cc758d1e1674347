// Command serve runs manysites for the scale benchmark
// (scripts/scalebench.sh): N sites of M articles under siteN.test names on
// one port; on SIGTERM it writes a report of its request log: requests,
// the closest two requests to one host, how many times a host got more than
// -parallelism requests within -delay, and when each site's first article
// was asked for (the spread: no site starved).
//
//	go run ./internal/manysites/serve -sites 1000 -articles 50 -addr 127.0.0.1:18090
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/presscrawl/presscrawl/internal/manysites"
)

func main() {
	sites := flag.Int("sites", 1000, "sites")
	articles := flag.Int("articles", 50, "articles per site")
	addr := flag.String("addr", "127.0.0.1:18090", "address")
	delay := flag.Duration("delay", time.Second, "the crawl's --delay, for the politeness check")
	par := flag.Int("parallelism", 4, "the crawl's --parallelism, for the politeness check")
	seeds := flag.String("seeds", "", "write the sites' home pages here, one per line")
	flag.Parse()
	s, err := manysites.Start(*addr, *sites, *articles)
	if err != nil {
		log.Fatal(err)
	}
	if *seeds != "" {
		if err := os.WriteFile(*seeds, []byte(strings.Join(s.Seeds(), "\n")+"\n"), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("%d sites of %d articles at %s", *sites, *articles, s.Addr)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	<-sig
	report(s.Log(), *delay, *par)
}

func report(reqs []manysites.Request, delay time.Duration, par int) {
	if len(reqs) == 0 {
		fmt.Println("no requests")
		return
	}
	byHost := map[string][]time.Time{}
	firstArticle := map[string]time.Time{}
	for _, r := range reqs {
		byHost[r.Host] = append(byHost[r.Host], r.At)
		if strings.HasPrefix(r.Path, "/news/") {
			if _, ok := firstArticle[r.Host]; !ok {
				firstArticle[r.Host] = r.At
			}
		}
	}
	start := reqs[0].At
	closest, over := time.Duration(1<<62), 0
	for _, ts := range byHost {
		for i := range ts {
			if i > 0 && ts[i].Sub(ts[i-1]) < closest {
				closest = ts[i].Sub(ts[i-1])
			}
			// more than par requests within one delay: impolite
			if i >= par && ts[i].Sub(ts[i-par]) < delay {
				over++
			}
		}
	}
	var firsts []time.Duration
	for _, t := range firstArticle {
		firsts = append(firsts, t.Sub(start))
	}
	slices.Sort(firsts)
	el := reqs[len(reqs)-1].At.Sub(start)
	fmt.Printf("requests %d over %d hosts in %.1fs (%.0f/s)\n", len(reqs), len(byHost), el.Seconds(), float64(len(reqs))/el.Seconds())
	fmt.Printf("politeness: %d times a host got more than %d requests within %v; closest two requests to one host %v\n", over, par, delay, closest.Round(time.Millisecond))
	if len(firsts) > 0 {
		at := func(p float64) time.Duration {
			return firsts[min(int(p*float64(len(firsts))), len(firsts)-1)].Round(100 * time.Millisecond)
		}
		fmt.Printf("each site's first article asked for after: min %v, p50 %v, p90 %v, max %v (%d sites)\n", at(0), at(0.5), at(0.9), firsts[len(firsts)-1].Round(100*time.Millisecond), len(firsts))
	}
}
