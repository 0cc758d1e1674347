package record

import (
	"encoding/json"
	"testing"
	"time"
)

// Both renderings of a timestamp survive a JSON round trip, with the page's
// own UTC offset kept.
func TestTimestampJSON(t *testing.T) {
	for _, in := range []string{`"2023-11-08T18:49:09-07:00"`, `"2024-03-05"`} {
		var ts Timestamp
		if err := json.Unmarshal([]byte(in), &ts); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		out, err := json.Marshal(ts)
		if err != nil || string(out) != in {
			t.Errorf("%s came back as %s (%v)", in, out, err)
		}
	}
	var ts Timestamp
	if err := json.Unmarshal([]byte(`"last Tuesday"`), &ts); err == nil {
		t.Error("a free-text date was accepted")
	}
}

func TestTimestampAfter(t *testing.T) {
	ref := time.Date(2024, 3, 5, 23, 0, 0, 0, time.UTC)
	// 6 March is already today east of UTC: not in the future.
	if (Timestamp{Time: time.Date(2024, 3, 6, 0, 0, 0, 0, time.UTC), DayOnly: true}).After(ref) {
		t.Error("the next calendar day, already begun in UTC+14, counted as the future")
	}
	if !(Timestamp{Time: time.Date(2024, 3, 8, 0, 0, 0, 0, time.UTC), DayOnly: true}).After(ref) {
		t.Error("a day three days ahead is not after")
	}
	if (Timestamp{Time: ref.Add(30 * time.Minute)}).After(ref) || !(Timestamp{Time: ref.Add(2 * time.Hour)}).After(ref) {
		t.Error("an hour of clock skew is allowed, two are not")
	}
}
