// Command recordgen fills a data dir with synthetic article records, for
// the web face's benchmark (scripts/servebench.sh): N records over 50
// sites, English and Arabic, three years of publication dates, authors,
// sections and tags, wire stories run by several sites. The words follow
// Zipf's law over a vocabulary of 30,000 (the common words of news first,
// then made-up ones), as real text does: a topical word is in a few
// percent of the articles, "the" in all. Deterministic: the same -n gives
// the same records.
//
//	go run ./internal/recordgen -n 100000 -data-dir /tmp/serve100k
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/presscrawl/presscrawl/index/local"
	"github.com/presscrawl/presscrawl/record"
)

var (
	english  = strings.Fields("the minister said talks would resume next week after a meeting in the capital where officials discussed trade energy water prices elections climate border security health schools rail port budget parliament court ruling protest strike vote council report inflation drought harvest")
	arabic   = strings.Fields("قال الوزير إن المحادثات ستستأنف الأسبوع المقبل بعد اجتماع في العاصمة حيث ناقش المسؤولون التجارة والطاقة والمياه والأسعار والانتخابات والمناخ والحدود والأمن والصحة والمدارس والميناء والميزانية والبرلمان والمحكمة")
	sections = []string{"Politics", "Economy", "World", "Culture", "Sport", "Science"}
	authors  = []string{"Layla Haddad", "Omar Khalil", "Sara Nasser", "James Wright", "Mona Saleh", "Karim Aziz", "Anna Berg", "Youssef Amin"}
)

func main() {
	n := flag.Int("n", 100000, "records to write")
	dir := flag.String("data-dir", "/tmp/serve100k", "the data dir to fill (created)")
	flag.Parse()
	if err := run(*n, *dir); err != nil {
		log.Fatal(err)
	}
}

func run(n int, dir string) error {
	store, err := local.Open(dir)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	fetched := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	t0 := time.Now()
	var batch []*record.Record
	for i := range n {
		ar := i%3 == 0
		site := i % 50
		words, lang, host := english, "en", fmt.Sprintf("news%02d.example", site)
		if ar {
			words, lang = arabic, "ar"
		}
		vocab := englishVocab
		if ar {
			vocab = arabicVocab
		}
		text := paragraphs(rng, vocab, 4+rng.IntN(6))
		if i%40 == 0 { // a wire story, run by several sites with the same text
			text = paragraphs(rand.New(rand.NewPCG(uint64(i/400), 9)), vocab, 6)
		}
		u := fmt.Sprintf("https://%s/%s/2024/%d/story-%d/", host, lang, i%12+1, i)
		pub := record.Timestamp{Time: start.Add(time.Duration(rng.IntN(3*365*24)) * time.Hour)}
		r := &record.Record{
			ID: record.IDForURL(u), URL: u, CanonicalURL: u, Language: lang, IsArticle: true,
			Title:    strings.Join(strings.Fields(text)[:8], " "),
			Text:     text,
			SiteName: fmt.Sprintf("News %02d", site), Section: sections[rng.IntN(len(sections))],
			Authors: []string{authors[rng.IntN(len(authors))]}, Tags: []string{words[rng.IntN(len(words))]},
			PublishedAt: &pub, DateSource: "json-ld", FetchedAt: &fetched, Extractor: "recordgen",
		}
		r.WordCount = len(strings.Fields(text))
		r.ContentHash = record.IDForURL(text)[:32]
		batch = append(batch, r)
		if len(batch) == 1000 || i == n-1 {
			if _, err := store.PutAll(context.Background(), batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := store.Close(); err != nil {
		return err
	}
	log.Printf("%d records in %s, %.1fs", n, dir, time.Since(t0).Seconds())
	return nil
}

// vocab is a vocabulary of n words, made-up ones from syllables, with the
// news words given at ranks spread from the most frequent to the rare
// (word i at rank 8i²): queries of every selectivity.
type vocab struct {
	words []string
}

var (
	englishVocab = newVocab(english, []string{"ba", "ker", "lo", "min", "ta", "vor", "el", "sun", "dra", "pi", "gon", "ith"}, 30000)
	arabicVocab  = newVocab(arabic, []string{"تا", "مر", "كل", "سين", "بو", "ري", "دا", "فل", "نو", "قم", "حج", "لي"}, 30000)
)

func newVocab(common, syllables []string, n int) *vocab {
	v := &vocab{words: make([]string, n)}
	for i := range v.words {
		w := ""
		for x := i + 7; x > 0; x /= len(syllables) {
			w += syllables[x%len(syllables)]
		}
		v.words[i] = w
	}
	for i, w := range common {
		v.words[min(8*i*i, n-1)] = w
	}
	return v
}

func paragraphs(rng *rand.Rand, v *vocab, n int) string {
	zipf := rand.NewZipf(rand.New(rand.NewPCG(rng.Uint64(), 3)), 1.07, 2, uint64(len(v.words)-1))
	ps := make([]string, n)
	for i := range ps {
		ws := make([]string, 40+rng.IntN(40))
		for j := range ws {
			ws[j] = v.words[zipf.Uint64()]
		}
		ps[i] = strings.Join(ws, " ") + "."
	}
	return strings.Join(ps, "\n\n")
}
