package stories

// SetExtractForTest lets the external test package, which can import
// extract, give the labelled tests their extractor.
func SetExtractForTest(fn func(page []byte, url string) string) { extractFn = fn }
