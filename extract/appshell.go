package extract

import (
	"bytes"
	"regexp"
)

// An application shell: a page whose HTML carries no article, only the
// element a JavaScript framework mounts into (React's #root, Vue's #app,
// Next.js's #__next, Nuxt's #__nuxt, Gatsby's #___gatsby), empty or nearly
// so, and the scripts that fill it.

var mountPoint = regexp.MustCompile(`(?is)<(div|main|section|body)\b[^>]*\bid\s*=\s*["']?(root|app|__next|__nuxt|___gatsby|main-app|svelte|application)["']?[^>]*>\s*(<noscript\b.*?</noscript>\s*)?(<[a-z][^>]*>\s*){0,3}(\s*</[a-z]+>){0,3}\s*</(div|main|section|body)>`)

// AppShell reports a page that is an application shell: an empty mount
// point, a script, and fewer than three paragraphs.
func AppShell(body []byte) bool {
	if !bytes.Contains(body, []byte("<script")) && !bytes.Contains(body, []byte("<SCRIPT")) {
		return false
	}
	if !mountPoint.Match(body) {
		return false
	}
	outside := scriptBlock.ReplaceAll(body, nil) // a script's own "<p>" strings are no paragraphs
	return len(paragraphTag.FindAllIndex(outside, 3)) < 3
}

var (
	scriptBlock  = regexp.MustCompile(`(?is)<script\b.*?</script\s*>`)
	paragraphTag = regexp.MustCompile(`(?i)<p[\s>]`)
)
