package local

import (
	"encoding/hex"

	bolt "go.etcd.io/bbolt"

	"github.com/presscrawl/presscrawl/record"
	"github.com/presscrawl/presscrawl/stories"
)

// The story signatures (issue 28): a record's MinHash signature and story
// under its id's first 16 bytes, and the records filed under each of its
// band keys, so that a new record's near-duplicates are found without a
// scan, in the transaction that stores it (kill -9 keeps both or neither).
var (
	storySigsBucket  = []byte("story_sigs")  // id[:16] -> story id (32 bytes) + signature
	storyBandsBucket = []byte("story_bands") // band key (9 bytes) -> id[:16] ... (MaxPerKey at most)
)

// storyKey is a record id's first 16 bytes (ids are hex SHA-256); nil for
// an id that is not hex (none is stored so).
func storyKey(id string) []byte {
	b, err := hex.DecodeString(id)
	if err != nil || len(b) < 16 {
		return nil
	}
	return b[:16]
}

// txLookup reads the signatures of a write transaction.
type txLookup struct{ tx *bolt.Tx }

func (l txLookup) Candidates(key [9]byte) ([]string, error) {
	v := l.tx.Bucket(storyBandsBucket).Get(key[:])
	out := make([]string, 0, len(v)/16)
	for i := 0; i+16 <= len(v); i += 16 {
		out = append(out, string(v[i:i+16]))
	}
	return out, nil
}

func (l txLookup) Member(id string) (stories.Signature, string, bool, error) {
	v := l.tx.Bucket(storySigsBucket).Get([]byte(id))
	if len(v) < 32 {
		return stories.Signature{}, "", false, nil
	}
	sig, ok := stories.Decode(v[32:])
	return sig, hex.EncodeToString(v[:32]), ok, nil
}

// groupIn gives a new record its story: that of the stored record it is a
// near-duplicate of, else its own id; and files its signature. A record
// already stored keeps its story (prev: its stored story id).
func groupIn(tx *bolt.Tx, r *record.Record, sig *stories.Signature, prev string) error {
	if prev != "" {
		r.StoryID = prev
		return nil
	}
	r.StoryID = r.ID
	key := storyKey(r.ID)
	if sig == nil || key == nil {
		return nil
	}
	story, err := stories.Group(*sig, string(key), txLookup{tx})
	if err != nil {
		return err
	}
	if story != "" {
		r.StoryID = story
	}
	storyBytes, err := hex.DecodeString(r.StoryID)
	if err != nil || len(storyBytes) != 32 {
		return nil // a story id that is no hex id: not filed
	}
	if err := tx.Bucket(storySigsBucket).Put(key, append(storyBytes, sig.Encode()...)); err != nil {
		return err
	}
	bands := tx.Bucket(storyBandsBucket)
	for _, k := range sig.BandKeys() {
		v := bands.Get(k[:])
		if len(v)/16 >= stories.MaxPerKey {
			continue
		}
		nv := make([]byte, len(v), len(v)+16)
		copy(nv, v)
		if err := bands.Put(k[:], append(nv, key...)); err != nil {
			return err
		}
	}
	return nil
}
