// Package stories tells when two articles are the same story: MinHash
// signatures of their texts' word shingles, compared by how much of the
// shorter text the longer one holds. Words are normalised first (case,
// punctuation, Arabic letter forms and diacritics, digits of every script),
// so a republished wire story with a new headline, a rewritten lead, a
// local paragraph or its last third cut still matches, and two stories on
// one topic that share a quote do not.
//
// The signature is small (Hashes 32-bit values) and banded for
// locality-sensitive lookup (Bands keys of RowsPerBand values each): the
// data dir keeps both and finds a new record's candidates without a scan.
package stories

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/presscrawl/presscrawl/internal/fold"
)

const (
	// ShingleWords is the words of a shingle.
	ShingleWords = 5
	// Hashes is the signature's length; Bands × RowsPerBand = Hashes.
	Hashes      = 64
	Bands       = 32
	RowsPerBand = 2
	// MinShingles: a text with fewer shingles (about 25 words) is grouped
	// with nothing: too short to tell a story from a formula.
	MinShingles = 20
	// Threshold is the estimated containment (shared shingles over the
	// shorter text's) from which two texts are one story, and MinJaccard
	// the estimated Jaccard similarity they need besides: a short text half
	// of which is quoted as background in a long follow-up is contained
	// (0.5) but not similar (0.06). On the labelled set (grouping_test.go)
	// two copies of a story are at least 0.47 contained and 0.27 similar;
	// a negative contained 0.40 or more is at most 0.08 similar.
	Threshold  = 0.4
	MinJaccard = 0.2
)

// Signature is a text's MinHash signature and its shingle count.
type Signature struct {
	Mins     [Hashes]uint32
	Shingles int
}

// seeds are the hash functions' multipliers and offsets (odd, fixed: a
// signature stored today compares with one computed next year).
var seeds = func() (a, b [Hashes]uint64) {
	x := uint64(0x9E3779B97F4A7C15)
	next := func() uint64 { // splitmix64
		x += 0x9E3779B97F4A7C15
		z := x
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		return z ^ (z >> 31)
	}
	for i := range a {
		a[i], b[i] = next()|1, next()
	}
	return
}

var mulA, addB = seeds()

// Of computes a text's signature; ok is false for a text too short to
// group (fewer than MinShingles shingles).
func Of(text string) (Signature, bool) {
	var s Signature
	var words []uint64
	eachWord(text, func(w []byte) {
		h := uint64(14695981039346656037) // FNV-1a
		for _, c := range w {
			h ^= uint64(c)
			h *= 1099511628211
		}
		words = append(words, h)
	})
	if len(words) < ShingleWords {
		return s, false
	}
	shingles := make([]uint64, 0, len(words)-ShingleWords+1)
	for i := 0; i+ShingleWords <= len(words); i++ {
		x := uint64(0)
		for _, w := range words[i : i+ShingleWords] {
			x = (x ^ w) * 0x9E3779B97F4A7C15
		}
		shingles = append(shingles, x^(x>>29))
	}
	slices.Sort(shingles)
	shingles = slices.Compact(shingles)
	s.Shingles = len(shingles)
	if s.Shingles < MinShingles {
		return s, false
	}
	for j := range s.Mins {
		a, b := mulA[j], addB[j]
		m := uint32(math.MaxUint32)
		for _, x := range shingles {
			if v := uint32((a*x + b) >> 32); v < m {
				m = v
			}
		}
		s.Mins[j] = m
	}
	return s, true
}

// Jaccard estimates the two texts' shingle sets' Jaccard similarity.
func Jaccard(a, b Signature) float64 {
	same := 0
	for i := range a.Mins {
		if a.Mins[i] == b.Mins[i] {
			same++
		}
	}
	return float64(same) / Hashes
}

// Containment estimates how much of the shorter text the other holds:
// |A∩B| / min(|A|,|B|), from the Jaccard estimate and the sizes.
func Containment(a, b Signature) float64 {
	j := Jaccard(a, b)
	if a.Shingles == 0 || b.Shingles == 0 {
		return 0
	}
	inter := j * float64(a.Shingles+b.Shingles) / (1 + j)
	return math.Min(1, inter/float64(min(a.Shingles, b.Shingles)))
}

// Same reports whether two signatures are one story.
func Same(a, b Signature) bool { return Containment(a, b) >= Threshold && Jaccard(a, b) >= MinJaccard }

// BandKeys are the signature's locality-sensitive keys: texts sharing one
// are candidates to compare.
func (s Signature) BandKeys() [Bands][9]byte {
	var out [Bands][9]byte
	for b := 0; b < Bands; b++ {
		h := fnv.New64a()
		var buf [4]byte
		for r := 0; r < RowsPerBand; r++ {
			binary.BigEndian.PutUint32(buf[:], s.Mins[b*RowsPerBand+r])
			h.Write(buf[:])
		}
		out[b][0] = byte(b)
		binary.BigEndian.PutUint64(out[b][1:], h.Sum64())
	}
	return out
}

// Encode writes the signature in 4+4×Hashes bytes.
func (s Signature) Encode() []byte {
	out := make([]byte, 4+4*Hashes)
	binary.BigEndian.PutUint32(out, uint32(s.Shingles))
	for i, v := range s.Mins {
		binary.BigEndian.PutUint32(out[4+4*i:], v)
	}
	return out
}

// Decode reads what Encode wrote.
func Decode(b []byte) (Signature, bool) {
	var s Signature
	if len(b) != 4+4*Hashes {
		return s, false
	}
	s.Shingles = int(binary.BigEndian.Uint32(b))
	for i := range s.Mins {
		s.Mins[i] = binary.BigEndian.Uint32(b[4+4*i:])
	}
	return s, true
}

// Words are a text's words, normalised: lower case, punctuation dropped,
// digits of every script as ASCII, Arabic diacritics and tatweel dropped
// and its letter forms folded (أ إ آ ٱ → ا, ى → ي, ة → ه, ؤ → و, ئ → ي).
func Words(text string) []string {
	var out []string
	eachWord(text, func(w []byte) { out = append(out, string(w)) })
	return out
}

// eachWord calls fn with each normalised word of text (Words), in a buffer
// reused from one call to the next.
func eachWord(text string, fn func([]byte)) {
	text = fold.Digits(text)
	buf := make([]byte, 0, 64)
	flush := func() {
		if len(buf) > 0 {
			fn(buf)
			buf = buf[:0]
		}
	}
	for _, r := range text {
		if r < 0x80 { // ASCII, most of most texts
			switch {
			case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
				buf = append(buf, byte(r))
			case 'A' <= r && r <= 'Z':
				buf = append(buf, byte(r)+'a'-'A')
			case r == '\'':
			default:
				flush()
			}
			continue
		}
		switch {
		case r >= 0x064B && r <= 0x065F || r == 0x0670 || r == 0x0640: // harakat, superscript alef, tatweel
			continue
		case r == 'أ' || r == 'إ' || r == 'آ' || r == 'ٱ':
			r = 'ا'
		case r == 'ى' || r == 'ئ':
			r = 'ي'
		case r == 'ة':
			r = 'ه'
		case r == 'ؤ':
			r = 'و'
		case r == '’':
			continue // don't, l'état: one word
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
			continue
		}
		flush()
	}
	flush()
}

// Lookup is where signatures are kept (the data dir, a test's map): the
// records filed under a band key, and a record's signature and story.
type Lookup interface {
	Candidates(key [9]byte) ([]string, error)
	Member(id string) (sig Signature, story string, ok bool, err error)
}

// Group finds the story of a new text: the story of the kept record whose
// text it most contains, or is most contained by (Containment at least
// Threshold), among those sharing a band key with it; "" when none is.
func Group(sig Signature, self string, l Lookup) (string, error) {
	seen := map[string]bool{self: true}
	best, bestScore := "", 0.0
	for _, key := range sig.BandKeys() {
		ids, err := l.Candidates(key)
		if err != nil {
			return "", err
		}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			other, story, ok, err := l.Member(id)
			if err != nil {
				return "", err
			}
			if !ok {
				continue
			}
			if !Same(sig, other) {
				continue
			}
			if c := Containment(sig, other); c > bestScore || c == bestScore && story < best {
				best, bestScore = story, c
			}
		}
	}
	return best, nil
}

// MaxPerKey bounds the records filed under one band key: a key shared by
// thousands (a site's boilerplate, a template's text) finds the first
// ones, which is enough to find a story, and bounds the work per record.
const MaxPerKey = 64

// Memory is a Lookup in memory (tests, benchmarks).
type Memory struct {
	keys    map[[9]byte][]string
	members map[string]memberEntry
}

type memberEntry struct {
	sig   Signature
	story string
}

// NewMemory is an empty Memory.
func NewMemory() *Memory {
	return &Memory{keys: map[[9]byte][]string{}, members: map[string]memberEntry{}}
}

// Candidates implements Lookup.
func (m *Memory) Candidates(key [9]byte) ([]string, error) { return m.keys[key], nil }

// Member implements Lookup.
func (m *Memory) Member(id string) (Signature, string, bool, error) {
	e, ok := m.members[id]
	return e.sig, e.story, ok, nil
}

// Add groups a record and keeps its signature; it returns its story (its
// own id when it is the first of its story, or too short to group).
func (m *Memory) Add(id, text string) string {
	sig, ok := Of(text)
	if !ok {
		return id
	}
	story, _ := Group(sig, id, m)
	if story == "" {
		story = id
	}
	m.members[id] = memberEntry{sig, story}
	for _, k := range sig.BandKeys() {
		if len(m.keys[k]) < MaxPerKey {
			m.keys[k] = append(m.keys[k], id)
		}
	}
	return story
}
