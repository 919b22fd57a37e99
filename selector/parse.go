package selector

import (
	"fmt"
	"slices"
)

// ParseError reports where Parse found a problem: Pos is the byte offset in
// Input of the token that could not be accepted (len(Input) at the end).
type ParseError struct {
	Input string
	Pos   int
	Msg   string
}

// Error renders "unable to parse selector at position N of "input": msg".
func (e *ParseError) Error() string {
	return fmt.Sprintf("unable to parse selector at position %d of %q: %s", e.Pos, e.Input, e.Msg)
}

type token uint8

const (
	tokError token = iota
	tokEnd
	tokIdent
	tokClosedPar
	tokComma
	tokNot // "!"
	tokDoubleEquals
	tokEquals
	tokGreater
	tokLess
	tokIn
	tokNotEquals
	tokNotIn
	tokOpenPar
)

type item struct {
	tok token
	lit string
	pos int
}

func isSpecial(c byte) bool {
	switch c {
	case '=', '!', '(', ')', ',', '>', '<':
		return true
	}
	return false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// lex splits s into tokens with upstream's rules: whitespace separates,
// "==" and "!=" are the two-character symbols, identifiers are maximal runs
// of other bytes, "in" and "notin" are keyword tokens, and a NUL byte ends
// the input (as upstream's byte reader does).
func lex(s string) []item {
	var items []item
	i := 0
	at := func(i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	for {
		for isSpace(at(i)) {
			i++
		}
		c := at(i)
		switch {
		case c == 0:
			return append(items, item{tokEnd, "", i})
		case isSpecial(c):
			start := i
			var t token
			switch {
			case c == '=' && at(i+1) == '=':
				t, i = tokDoubleEquals, i+2
			case c == '!' && at(i+1) == '=':
				t, i = tokNotEquals, i+2
			default:
				i++
				t = singleSymbol(c)
			}
			items = append(items, item{t, s[start:i], start})
		default:
			start := i
			for c := at(i); c != 0 && !isSpecial(c) && !isSpace(c); c = at(i) {
				i++
			}
			lit := s[start:i]
			t := tokIdent
			switch lit {
			case "in":
				t = tokIn
			case "notin":
				t = tokNotIn
			}
			items = append(items, item{t, lit, start})
		}
	}
}

type parser struct {
	input string
	items []item
	pos   int
}

// peek and next read a token; in a value position the keywords "in" and
// "notin" are plain identifiers.
func (p *parser) peek(value bool) item {
	it := p.items[p.pos]
	if value && (it.tok == tokIn || it.tok == tokNotIn) {
		it.tok = tokIdent
	}
	return it
}

func (p *parser) next(value bool) item {
	it := p.peek(value)
	p.pos++
	return it
}

func (p *parser) errorf(at item, format string, args ...any) error {
	return &ParseError{Input: p.input, Pos: at.pos, Msg: fmt.Sprintf(format, args...)}
}

// Parse parses a selector in the syntax of kubectl -l and upstream's
// labels.Parse:
//
//	<selector>       ::= "" | <requirement> { "," <requirement> }
//	<requirement>    ::= [ "!" ] KEY [ <set-restriction> | <exact-restriction> ]
//	<set-restriction>::= ( "in" | "notin" ) "(" <values> ")"
//	<values>         ::= VALUE { "," VALUE }     (each VALUE may be empty)
//	<exact-restriction> ::= ( "=" | "==" | "!=" | ">" | "<" ) VALUE
//
// Whitespace (space, tab, CR, LF) separates tokens and is otherwise ignored;
// "in" and "notin" are keywords only where an operator is expected. "!k"
// takes no operator; "()" is the set {""}; "x=" means x equals "". Keys must
// be valid label keys, values valid label values, and ">"/"<" values int64s.
// The result holds the requirements in key order (stable for equal keys).
//
// Errors are *ParseError (with the byte position) for syntax, or the
// validation errors of NewRequirement.
func Parse(s string) (Selector, error) {
	p := &parser{input: s, items: lex(s)}
	var reqs []Requirement
	for {
		it := p.peek(true)
		switch it.tok {
		case tokIdent, tokNot:
			r, err := p.parseRequirement()
			if err != nil {
				return Selector{}, err
			}
			reqs = append(reqs, r)
			sep := p.next(true)
			switch sep.tok {
			case tokEnd:
				return Selector{}.Add(reqs...), nil
			case tokComma:
				if t := p.peek(true); t.tok != tokIdent && t.tok != tokNot {
					return Selector{}, p.errorf(t, "found '%s', expected: identifier after ','", t.lit)
				}
			default:
				return Selector{}, p.errorf(sep, "found '%s', expected: ',' or 'end of string'", sep.lit)
			}
		case tokEnd:
			return Selector{}.Add(reqs...), nil
		default:
			return Selector{}, p.errorf(it, "found '%s', expected: !, identifier, or 'end of string'", it.lit)
		}
	}
}

func (p *parser) parseRequirement() (Requirement, error) {
	var op Operator
	it := p.next(true)
	if it.tok == tokNot {
		op = DoesNotExist
		it = p.next(true)
	}
	if it.tok != tokIdent {
		return Requirement{}, p.errorf(it, "found '%s', expected: identifier", it.lit)
	}
	key := it.lit
	if msgs := IsQualifiedName(key); len(msgs) != 0 {
		return Requirement{}, p.errorf(it, "invalid label key %q: %s", key, msgs[0])
	}
	if t := p.peek(true).tok; t == tokEnd || t == tokComma {
		if op != DoesNotExist {
			op = Exists
		}
	}
	if op == Exists || op == DoesNotExist {
		return NewRequirement(key, op)
	}
	opItem := p.next(false)
	switch opItem.tok {
	case tokIn:
		op = In
	case tokNotIn:
		op = NotIn
	case tokEquals:
		op = Equals
	case tokDoubleEquals:
		op = DoubleEquals
	case tokNotEquals:
		op = NotEquals
	case tokGreater:
		op = GreaterThan
	case tokLess:
		op = LessThan
	default:
		return Requirement{}, p.errorf(opItem, "found '%s', expected: in, notin, =, ==, !=, gt, lt", opItem.lit)
	}
	var values []string
	var err error
	if op == In || op == NotIn {
		values, err = p.parseValues()
	} else {
		values, err = p.parseExactValue()
	}
	if err != nil {
		return Requirement{}, err
	}
	return NewRequirement(key, op, values...)
}

func (p *parser) parseValues() ([]string, error) {
	open := p.next(true)
	if open.tok != tokOpenPar {
		return nil, p.errorf(open, "found '%s' expected: '('", open.lit)
	}
	first := p.peek(true)
	switch first.tok {
	case tokIdent, tokComma:
		vals, err := p.parseIdentifiersList()
		if err != nil {
			return nil, err
		}
		if cl := p.next(true); cl.tok != tokClosedPar {
			return nil, p.errorf(cl, "found '%s', expected: ')'", cl.lit)
		}
		return vals, nil
	case tokClosedPar:
		p.next(true)
		return []string{""}, nil
	default:
		return nil, p.errorf(first, "found '%s', expected: ',', ')' or identifier", first.lit)
	}
}

func (p *parser) parseIdentifiersList() ([]string, error) {
	var vals []string
	add := func(v string) {
		if !slices.Contains(vals, v) {
			vals = append(vals, v)
		}
	}
	for {
		it := p.next(true)
		switch it.tok {
		case tokIdent:
			add(it.lit)
			switch t := p.peek(true); t.tok {
			case tokComma:
				continue
			case tokClosedPar:
				return vals, nil
			default:
				return nil, p.errorf(t, "found '%s', expected: ',' or ')'", t.lit)
			}
		case tokComma:
			if len(vals) == 0 {
				add("") // "(,"
			}
			switch p.peek(true).tok {
			case tokClosedPar:
				add("") // ",)"
				return vals, nil
			case tokComma:
				add("") // ",,"
			}
		default:
			return nil, p.errorf(it, "found '%s', expected: ',', or identifier", it.lit)
		}
	}
}

func (p *parser) parseExactValue() ([]string, error) {
	if t := p.peek(true).tok; t == tokEnd || t == tokComma {
		return []string{""}, nil
	}
	it := p.next(true)
	if it.tok == tokIdent {
		return []string{it.lit}, nil
	}
	return nil, p.errorf(it, "found '%s', expected: identifier", it.lit)
}

// MustParse is Parse that panics on error. For tests, examples and constants only.
func MustParse(s string) Selector {
	sel, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return sel
}

func singleSymbol(c byte) token {
	switch c {
	case '=':
		return tokEquals
	case '!':
		return tokNot
	case '(':
		return tokOpenPar
	case ')':
		return tokClosedPar
	case ',':
		return tokComma
	case '>':
		return tokGreater
	case '<':
		return tokLess
	}
	return tokError
}
