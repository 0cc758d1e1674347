package local

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/ar"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/internal/fold"
)

// textFields are where a word without a field is looked for. Each record's
// text was analyzed by its language (newMapping): a word is looked for with
// every analyzer, so that محادثات finds المحادثات in Arabic records,
// negotiate finds "negotiations" in English ones, and any word is found as
// written in the others.
var textFields = []string{"title", "description", "text"}

// stemmedFields are two fields of earlier versions, still understood:
// text_en:negotiate is a stemmed English match in title and text.
var stemmedFields = map[string]string{"text_en": en.AnalyzerName, "text_ar": ar.AnalyzerName}

// buildQuery turns the search syntax (words, "phrases", AND, OR, NOT,
// +must, -not, field:value, ranges) into a bleve query. A plain word or
// phrase is matched in every plain field with that field's analyzer; a
// fielded term goes to bleve's query-string parser. Without OR every term
// is required.
func buildQuery(q string) (query.Query, error) {
	if err := index.CheckQuery(q); err != nil {
		return nil, err
	}
	if strings.Count(q, `"`)%2 == 1 {
		return nil, errors.New(`a quote (") is not closed`)
	}
	fields := index.SplitTerms(fold.Digits(q))
	for _, f := range fields {
		if !strings.HasPrefix(strings.TrimLeft(f, "+-"), `"`) && strings.ContainsAny(f, "()") && !strings.Contains(f, `:"`) {
			return nil, errors.New("the local index's syntax has no parentheses (quote a term to search for one)")
		}
	}
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
	if len(should) > 0 {
		// one of the alternatives at least, beside the required terms too:
		// a OR b +language:ar is (a OR b) in Arabic, not every Arabic record
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
		return perAnalyzer(parsed), nil
	}
	if strings.HasPrefix(t, `"`) && strings.HasSuffix(t, `"`) && len(t) >= 2 {
		return perAnalyzer(bleve.NewMatchPhraseQuery(strings.Trim(t, `"`))), nil
	}
	m := bleve.NewMatchQuery(t)
	m.SetOperator(query.MatchQueryOperatorAnd)
	return perAnalyzer(m), nil
}

// perAnalyzer rewrites each match of text (a word or a phrase, without a
// field or in a text field) as the same match with each analyzer the text
// may have been indexed with; other queries are left as they are. bleve
// would otherwise pick one analyzer for a field of several mappings.
func perAnalyzer(q query.Query) query.Query {
	switch q := q.(type) {
	case *query.BooleanQuery:
		for _, sub := range []*query.Query{&q.Must, &q.Should, &q.MustNot} {
			if *sub != nil {
				*sub = perAnalyzer(*sub)
			}
		}
	case *query.ConjunctionQuery:
		for i := range q.Conjuncts {
			q.Conjuncts[i] = perAnalyzer(q.Conjuncts[i])
		}
	case *query.DisjunctionQuery:
		for i := range q.Disjuncts {
			q.Disjuncts[i] = perAnalyzer(q.Disjuncts[i])
		}
	case *query.MatchQuery:
		return eachAnalysis(q, q.Match, q.FieldVal, q.Analyzer, func(field, analyzer string) query.Query {
			c := *q
			c.FieldVal, c.Analyzer = field, analyzer
			return &c
		})
	case *query.MatchPhraseQuery:
		return eachAnalysis(q, q.MatchPhrase, q.FieldVal, q.Analyzer, func(field, analyzer string) query.Query {
			c := *q
			c.FieldVal, c.Analyzer = field, analyzer
			return &c
		})
	}
	return q
}

// eachAnalysis is the disjunction of q made for each field and analyzer
// its field and analyzer stand for (textOf), or q itself. Analyzers that
// make the same terms of the text at the same positions (English words
// unchanged by the Arabic analyzer, Arabic ones by the English) would
// search the same terms again: one of them is kept.
func eachAnalysis(q query.Query, text, field, analyzer string, with func(field, analyzer string) query.Query) query.Query {
	fields, analyzers, ok := textOf(field, analyzer)
	if !ok {
		return q
	}
	var distinct []string
	seen := map[string]bool{}
	for _, a := range analyzers {
		key := analyzedAs(a, text)
		if key == "" || !seen[key] {
			seen[key] = true
			distinct = append(distinct, a)
		}
	}
	var ds []query.Query
	for _, f := range fields {
		for _, a := range distinct {
			ds = append(ds, with(f, a))
		}
	}
	return bleve.NewDisjunctionQuery(ds...)
}

// queryMapping is the mapping whose analyzers the queries use.
var queryMapping = sync.OnceValue(newMapping)

// analyzedAs is what an analyzer makes of a text: its terms with their
// positions; "" when the analyzer is not known.
func analyzedAs(analyzer, text string) string {
	a := queryMapping().AnalyzerNamed(analyzer)
	if a == nil {
		return ""
	}
	var sb strings.Builder
	for _, t := range a.Analyze([]byte(text)) {
		fmt.Fprintf(&sb, "%d:%s\x00", t.Position, t.Term)
	}
	return "=" + sb.String()
}

// textOf says which fields and analyzers a match in field stands for: all
// text fields for none, every text analyzer for a text field, the stemmed
// analyzer for text_en and text_ar; ok is false for other fields or a match
// that names its analyzer.
func textOf(field, analyzer string) (fields, analyzers []string, ok bool) {
	if analyzer != "" {
		return nil, nil, false
	}
	if a, stemmed := stemmedFields[field]; stemmed {
		return []string{"title", "text"}, []string{a}, true
	}
	if field == "" {
		return textFields, textAnalyzers, true
	}
	if slices.Contains(textFields, field) {
		return []string{field}, textAnalyzers, true
	}
	return nil, nil, false
}

// isFielded reports a term with a field name before a colon outside quotes.
func isFielded(t string) bool {
	if strings.HasPrefix(t, `"`) {
		return false
	}
	i := strings.Index(t, ":")
	return i > 0
}
