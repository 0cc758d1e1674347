package stories_test

import (
	"github.com/presscrawl/presscrawl/extract"
	"github.com/presscrawl/presscrawl/stories"
)

func init() {
	stories.SetExtractForTest(func(page []byte, url string) string {
		r, err := extract.Extract(extract.Input{Body: page, URL: url})
		if err != nil {
			return ""
		}
		return r.Text
	})
}
