package index

import (
	"errors"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/presscrawl/presscrawl/internal/fold"
)

// plainFields are where a word without a field is looked for, each with its
// own analysis: the folded fields (any language) and the stemmed copies, so
// that محادثات finds المحادثات and negotiate finds "negotiations" in records
// of that language.
var plainFields = []string{"title", "description", "text", "text_en", "text_ar"}

// buildQuery turns the search syntax (words, "phrases", AND, OR, NOT,
// +must, -not, field:value, ranges) into a bleve query. A plain word or
// phrase is matched in every plain field with that field's analyzer; a
// fielded term goes to bleve's query-string parser. Without OR every term
// is required.
func buildQuery(q string) (query.Query, error) {
	if strings.Count(q, `"`)%2 == 1 {
		return nil, errors.New(`a quote (") is not closed`)
	}
	fields := splitQuery(fold.Digits(q))
	hasOr := false
	for _, f := range fields {
		if f == "OR" {
			hasOr = true
		}
	}
	var must, should, mustNot []query.Query
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		switch f {
		case "AND", "OR":
			continue
		case "NOT":
			if i+1 < len(fields) {
				i++
				sub, err := termQuery(strings.TrimLeft(fields[i], "+-"))
				if err != nil {
					return nil, err
				}
				mustNot = append(mustNot, sub)
			}
			continue
		}
		kind := byte(' ')
		if f[0] == '+' || f[0] == '-' {
			kind, f = f[0], f[1:]
		}
		if f == "" {
			continue
		}
		sub, err := termQuery(f)
		if err != nil {
			return nil, err
		}
		switch {
		case kind == '-':
			mustNot = append(mustNot, sub)
		case kind == '+' || !hasOr:
			must = append(must, sub)
		default:
			should = append(should, sub)
		}
	}
	if len(must) == 0 && len(should) == 0 {
		must = append(must, bleve.NewMatchAllQuery())
	}
	bq := query.NewBooleanQuery(must, should, mustNot)
	if len(should) > 0 && len(must) == 0 {
		bq.SetMinShould(1)
	}
	return bq, nil
}

// termQuery is one term: fielded or ranged terms as bleve's syntax reads
// them; a plain word or phrase across the plain fields.
func termQuery(t string) (query.Query, error) {
	if isFielded(t) {
		sub := bleve.NewQueryStringQuery(t)
		parsed, err := sub.Parse()
		if err != nil {
			return nil, err
		}
		return parsed, nil
	}
	phrase := strings.HasPrefix(t, `"`) && strings.HasSuffix(t, `"`) && len(t) >= 2
	var ds []query.Query
	for _, field := range plainFields {
		if phrase {
			m := bleve.NewMatchPhraseQuery(strings.Trim(t, `"`))
			m.SetField(field)
			ds = append(ds, m)
		} else {
			m := bleve.NewMatchQuery(t)
			m.SetField(field)
			m.SetOperator(query.MatchQueryOperatorAnd)
			ds = append(ds, m)
		}
	}
	return bleve.NewDisjunctionQuery(ds...), nil
}

// isFielded reports a term with a field name before a colon outside quotes.
func isFielded(t string) bool {
	if strings.HasPrefix(t, `"`) {
		return false
	}
	i := strings.Index(t, ":")
	return i > 0
}
