package extract

import (
	"strings"
	"testing"

	"github.com/presscrawl/presscrawl/record"
)

// The article's own images (largest source, lazy ones, captions and their
// photo credits apart) and the links inside its text; not the logo, the
// author's avatar, an advert, related stories' thumbnails or the footer's
// icons; not the related stories' links.
func TestImagesAndLinks(t *testing.T) {
	r := extractFile(t, "media-en.html", "https://coast.example/2026/12/01/harbour-quay-reopens/")
	want := []record.Image{
		{Src: "https://coast.example/img/quay-1600.jpg", Alt: "The reopened quay at dawn", Caption: "Fishing boats back at the reopened quay on Tuesday.", Credit: "Photo: Jane Roe"},
		{Src: "https://coast.example/img/crane-1024.jpg", Alt: "A crane lifts a beam", Caption: "A crane lifts the last beam into place.", Credit: "Photo: Port Authority"},
	}
	if len(r.Images) != len(want) {
		t.Fatalf("images %+v", r.Images)
	}
	for i := range want {
		if r.Images[i] != want[i] {
			t.Errorf("image %d: %+v, want %+v", i, r.Images[i], want[i])
		}
	}
	if r.Image != "https://coast.example/og/quay-1200.jpg" {
		t.Errorf("image (og:image) %q", r.Image)
	}
	links := []record.Link{
		{Href: "https://coast.example/2026/11/02/storm-damage-bill/", Text: "nearly two million euros", Internal: true},
		{Href: "https://engineers.example.org/reports/quay", Text: "engineers' report", Internal: false},
	}
	if len(r.Links) != len(links) || r.Links[0] != links[0] || r.Links[1] != links[1] {
		t.Errorf("links %+v", r.Links)
	}
	if !strings.HasPrefix(r.Text, "The harbour's main quay reopened") {
		t.Errorf("text starts %.80q: a caption is no standfirst", r.Text)
	}

	ar := extractFile(t, "media-ar.html", "https://sahel.example/ar/2026/12/03/desalination-plant/")
	if len(ar.Images) != 1 || ar.Images[0].Credit != "تصوير: أحمد سالم" || ar.Images[0].Caption != "محطة التحلية الجديدة بعد افتتاحها صباح الأربعاء." ||
		ar.Images[0].Src != "https://cdn.sahel.example/2026/12/plant.jpg" {
		t.Errorf("arabic images %+v", ar.Images)
	}
	if len(ar.Links) != 2 || !ar.Links[0].Internal || ar.Links[0].Text != "كلمته خلال الافتتاح" || ar.Links[1].Internal {
		t.Errorf("arabic links %+v", ar.Links)
	}
}

func TestLargestSrcset(t *testing.T) {
	for in, want := range map[string]string{
		"a.jpg 400w, b.jpg 1600w, c.jpg 800w": "b.jpg",
		"a.jpg 1x, b.jpg 2x":                  "b.jpg",
		"a.jpg":                               "a.jpg",
		"":                                    "",
		"a.jpg 300w,b.jpg 20w":                "a.jpg",
	} {
		if got := largestSrcset(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
