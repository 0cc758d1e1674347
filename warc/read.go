package warc

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
	"time"
)

// MaxHeaderBytes bounds a WARC record's header block (and what stands
// between two records): trusted readers cap it near 1 MiB; past it the
// record is damaged. A gzip member of 1 MB can hold a 1 GiB header line.
const MaxHeaderBytes = 1 << 20

// ErrHeaderTooLarge is a record whose header block passes MaxHeaderBytes.
var ErrHeaderTooLarge = errors.New("WARC header block larger than 1 MiB")

// ErrNotWARC is a stream whose first record is no WARC record at all.
var ErrNotWARC = errors.New("not a WARC file (no WARC/1.x record at its start)")

// errDigest is a record whose block does not hash to its WARC-Block-Digest.
var errDigest = errors.New("WARC-Block-Digest does not match the block")

// rawRecord is one WARC record as read: its header fields (names
// lower-cased) and, unless it was passed over, its block.
type rawRecord struct {
	version string
	fields  map[string]string
	block   []byte // nil when passed over (too large, or a type not kept)
	length  int64
	offset  int64 // where a reader resumes to read this record again: its gzip member's start, or its first byte in a plain file; -1 inside a whole-file gzip member
	skip    int   // records to pass over after seeking to offset to reach this one
}

func (r *rawRecord) get(name string) string { return r.fields[strings.ToLower(name)] }

// recordReader reads the records of a WARC stream written by any tool:
// plain, gzip per record, or one gzip member for the whole file; WARC/1.0
// and 1.1; header lines ending in CRLF or a bare LF; field values in angle
// brackets (WARC/1.0's grammar, as wget writes WARC-Target-URI). A
// damaged record (a header past MaxHeaderBytes, a block cut short, a bad
// digest, a broken gzip member) costs that record: next resynchronises at
// the next gzip member, or the next "WARC/1." line of a plain stream.
type recordReader struct {
	in      *countingReader
	br      *bufio.Reader // the file's bytes
	gz      bool
	zr      *gzip.Reader
	data    *bufio.Reader // the decompressed bytes of the current member (gz), or br
	member  int64         // the current member's offset in the file
	inMem   int           // records read in the current member
	plain   int64         // plain streams: bytes of data consumed
	started bool
	// keep decides, from a record's header, whether its block is read
	// into memory (else it is streamed past); maxBlock bounds the blocks
	// kept (a larger one is passed over, keep notwithstanding).
	keep     func(fields map[string]string) bool
	maxBlock int64
	base     int64 // the stream's offset in its file (a resumed read)
	eof      bool
	pushed   bool // a damaged record's block gave back the next record's start: no resync needed
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func newRecordReader(r io.Reader, base int64) (*recordReader, error) {
	in := &countingReader{r: r}
	rr := &recordReader{in: in, br: bufio.NewReaderSize(in, 64<<10), base: base}
	magic, err := rr.br.Peek(2)
	if err != nil && len(magic) < 2 {
		if err == io.EOF {
			return nil, ErrNotWARC
		}
		return nil, err
	}
	rr.gz = magic[0] == 0x1f && magic[1] == 0x8b
	if !rr.gz {
		rr.data = rr.br
	}
	return rr, nil
}

// pos is the file offset of the next byte the gzip reader will take.
func (rr *recordReader) pos() int64 { return rr.base + rr.in.n - int64(rr.br.Buffered()) }

// nextMember starts the next gzip member; io.EOF when there is none.
func (rr *recordReader) nextMember() error {
	if _, err := rr.br.Peek(1); err == io.EOF {
		return io.EOF
	}
	rr.member = rr.pos()
	rr.inMem = 0
	var err error
	if rr.zr == nil {
		rr.zr, err = gzip.NewReader(rr.br)
	} else {
		err = rr.zr.Reset(rr.br)
	}
	if err != nil {
		return fmt.Errorf("gzip member at offset %d: %w", rr.member, err)
	}
	rr.zr.Multistream(false)
	if rr.data == nil {
		rr.data = bufio.NewReaderSize(rr.zr, 64<<10)
	} else {
		rr.data.Reset(rr.zr)
	}
	return nil
}

// damage is a damaged record with where it began.
type damage struct {
	offset int64
	gz     bool
	err    error
}

func (d *damage) Error() string {
	where := "offset"
	if d.gz {
		where = "gzip member at offset"
	}
	return fmt.Sprintf("%s %d: %v", where, d.offset, d.err)
}

func (d *damage) Unwrap() error { return d.err }

// next reads the next record: io.EOF at the end, a *damage for a damaged
// record (call next again to go on past it), another error when reading
// cannot go on.
func (rr *recordReader) next() (*rawRecord, error) {
	for {
		if rr.eof {
			return nil, io.EOF
		}
		if rr.gz && (rr.zr == nil || rr.memberDone()) {
			if err := rr.nextMember(); err != nil {
				if err == io.EOF {
					rr.eof = true
					return nil, io.EOF
				}
				d := &damage{offset: rr.member, gz: true, err: err}
				if !rr.started {
					return nil, fmt.Errorf("%w: %v", ErrNotWARC, d)
				}
				rr.br.Discard(1) // past the broken member's magic
				rr.findMember()
				return nil, d
			}
		}
		start := rr.member
		if !rr.gz {
			start = rr.base + rr.plain
		}
		rec, err := rr.record()
		if err == errEndOfMember {
			continue
		}
		if err == io.EOF {
			rr.eof = true
			return nil, io.EOF
		}
		if err != nil {
			d := &damage{offset: start, gz: rr.gz, err: err}
			if !rr.started && errors.Is(err, errNoVersion) {
				return nil, fmt.Errorf("%w: %v", ErrNotWARC, d)
			}
			return nil, rr.resync(d)
		}
		rr.started = true
		if rr.gz {
			rec.offset, rec.skip = rr.member, rr.inMem
			rr.inMem++
		} else {
			rec.offset, rec.skip = start, 0
		}
		return rec, nil
	}
}

// memberDone reports whether the current member's bytes are used up (only
// blank lines left).
func (rr *recordReader) memberDone() bool {
	for {
		b, err := rr.data.Peek(1)
		if err != nil || len(b) == 0 {
			return true
		}
		if b[0] != '\r' && b[0] != '\n' {
			return false
		}
		rr.data.ReadByte()
	}
}

var errEndOfMember = errors.New("end of gzip member")

// errNoVersion is a record that does not begin with its WARC/1.x line.
var errNoVersion = errors.New("no WARC/1.x line at the record's start")

// resync moves past a damaged record: to the next gzip member (found by
// its magic bytes when the member's own bytes are broken), or to the next
// "WARC/1." line of a plain stream. It returns d.
func (rr *recordReader) resync(d *damage) error {
	if rr.pushed {
		rr.pushed = false
		return d
	}
	if rr.gz {
		if _, err := io.Copy(io.Discard, rr.data); err != nil {
			rr.findMember() // the member's deflate stream is broken
		}
		rr.zr, rr.data = nil, nil // a fresh reader for the next member
		return d
	}
	for {
		line, err := rr.data.ReadSlice('\n')
		rr.plain += int64(len(line))
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			rr.eof = true
			return d
		}
		if p, _ := rr.data.Peek(7); string(p) == "WARC/1." {
			return d
		}
	}
}

// findMember advances the file's bytes to the next gzip member whose
// header reads, and leaves the reader to start it (zr nil); at the end of
// the file, eof.
func (rr *recordReader) findMember() {
	rr.zr, rr.data = nil, nil
	for {
		if err := rr.seekMagic(); err != nil {
			rr.eof = true
			return
		}
		hdr, err := rr.br.Peek(10)
		if err != nil {
			rr.eof = true
			return
		}
		// a member's header: magic, deflate, flags without the reserved bits
		if hdr[3]&0xe0 == 0 {
			return
		}
		rr.br.Discard(1)
	}
}

// seekMagic advances the file's bytes to the next gzip member's magic.
func (rr *recordReader) seekMagic() error {
	for {
		b, err := rr.br.Peek(3)
		if err != nil {
			return err
		}
		if b[0] == 0x1f && b[1] == 0x8b && b[2] == 0x08 {
			return nil
		}
		rr.br.ReadByte()
	}
}

// readLine reads one header line, bounded by the header budget left.
func (rr *recordReader) readLine(budget *int) (string, error) {
	var buf []byte
	for {
		frag, err := rr.data.ReadSlice('\n')
		*budget -= len(frag)
		rr.plain += int64(len(frag))
		if *budget < 0 {
			return "", ErrHeaderTooLarge
		}
		buf = append(buf, frag...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF && len(buf) > 0 {
				return "", io.ErrUnexpectedEOF
			}
			return "", err
		}
		return strings.TrimRight(string(buf), "\r\n"), nil
	}
}

// record reads one record from the current data stream.
func (rr *recordReader) record() (*rawRecord, error) {
	budget := MaxHeaderBytes
	var version string
	for {
		line, err := rr.readLine(&budget)
		if err == io.EOF {
			if rr.gz {
				return nil, errEndOfMember
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(line) == "" {
			continue // the blank lines between records
		}
		if !strings.HasPrefix(line, "WARC/") {
			return nil, fmt.Errorf("%w: it begins %q", errNoVersion, clip(line, 40))
		}
		version = line
		break
	}
	rec := &rawRecord{version: version, fields: map[string]string{}, length: -1}
	last := ""
	for {
		line, err := rr.readLine(&budget)
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("header: %w", err)
		}
		if line == "" {
			break
		}
		if (line[0] == ' ' || line[0] == '\t') && last != "" { // a continuation line
			rec.fields[last] += " " + strings.TrimSpace(line)
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue // not a field: passed over, as lenient readers do
		}
		last = strings.ToLower(strings.TrimSpace(name))
		value = strings.TrimSpace(value)
		if len(value) >= 2 && value[0] == '<' && value[len(value)-1] == '>' {
			value = value[1 : len(value)-1] // <urn:uuid:...>, and <http://...> as WARC/1.0's grammar prints it and wget writes it
		}
		if _, dup := rec.fields[last]; !dup {
			rec.fields[last] = value
		}
	}
	if v, ok := rec.fields["content-length"]; ok {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("Content-Length %q", clip(v, 30))
		}
		rec.length = n
	}
	keep := rr.keep == nil || rr.keep(rec.fields)
	if rec.length < 0 {
		if !rr.gz {
			return nil, errors.New("no Content-Length")
		}
		// gzip per record: the block runs to the member's end
		limit := rr.maxBlock
		if limit <= 0 {
			limit = 1 << 40
		}
		b, err := io.ReadAll(io.LimitReader(rr.data, limit+1))
		if err != nil {
			return nil, fmt.Errorf("block: %w", err)
		}
		b = bytes.TrimRight(b, "\r\n")
		rec.length = int64(len(b))
		if keep && (rr.maxBlock <= 0 || rec.length <= rr.maxBlock) {
			rec.block = b
		}
		return rec, nil
	}
	if !keep || rr.maxBlock > 0 && rec.length > rr.maxBlock {
		n, err := io.CopyN(io.Discard, rr.data, rec.length)
		rr.plain += n
		if err != nil {
			return nil, fmt.Errorf("block cut short after %d of %d bytes: %w", n, rec.length, io.ErrUnexpectedEOF)
		}
		return rec, nil
	}
	b := make([]byte, rec.length)
	n, err := io.ReadFull(rr.data, b)
	rr.plain += int64(n)
	if err != nil {
		return nil, fmt.Errorf("block cut short after %d of %d bytes: %w", n, rec.length, io.ErrUnexpectedEOF)
	}
	if err := checkDigest(rec.get("WARC-Block-Digest"), b); err != nil {
		// a record cut short runs into the next one: when its block holds
		// the start of another record, reading goes on from there
		if i := bytes.Index(b, []byte("\nWARC/1.")); i >= 0 {
			rest := b[i+1:]
			rr.data = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(rest), rr.data), 64<<10)
			rr.plain -= int64(len(rest))
			rr.pushed = true
		}
		return nil, err
	}
	rec.block = b
	return rec, nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// checkDigest verifies a block against its WARC-Block-Digest: sha1 or
// sha256, in base32 (Common Crawl, Heritrix, wget, warcio) or hex.
// Algorithms it does not know are not checked.
func checkDigest(digest string, block []byte) error {
	alg, want, ok := strings.Cut(strings.TrimSpace(digest), ":")
	if !ok || want == "" {
		return nil
	}
	var h hash.Hash
	switch strings.ToLower(strings.ReplaceAll(alg, "-", "")) {
	case "sha1":
		h = sha1.New()
	case "sha256":
		h = sha256.New()
	default:
		return nil
	}
	h.Write(block)
	sum := h.Sum(nil)
	if digestEqual(want, sum) {
		return nil
	}
	return fmt.Errorf("%w (%s)", errDigest, clip(digest, 80))
}

func digestEqual(want string, sum []byte) bool {
	w := strings.TrimRight(strings.ToUpper(want), "=")
	if strings.TrimRight(base32.StdEncoding.EncodeToString(sum), "=") == w {
		return true
	}
	return strings.EqualFold(hex.EncodeToString(sum), want)
}

// warcDate parses a WARC-Date (WARC/1.1 allows fractions of a second).
func warcDate(s string) time.Time {
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z", "2006-01-02T15:04Z", "2006-01-02"} {
		if t, err := time.Parse(l, strings.TrimSpace(s)); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
