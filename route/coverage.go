package route

import (
	"fmt"
	"net/netip"
	"strings"

	"google.golang.org/protobuf/proto"
	networkingv1 "istio.io/api/networking/v1"
)

// Route kinds of a VirtualService, as Finding.Kind names them.
const (
	KindHTTP = "http"
	KindTCP  = "tcp"
	KindTLS  = "tls"
)

// Finding is a route or match block that can never take effect.
type Finding struct {
	// Kind is "http", "tcp" or "tls": the route list it is in.
	Kind string
	// Route is the position of the route in its list.
	Route int
	// Match is the position of the match block, -1 for the whole route.
	Match int
	// By is the earlier route that takes the traffic instead.
	By int
	// ByMatch is the match block of By that does; -1 when By has no match
	// blocks at all.
	ByMatch int
	// Duplicate is true when the conditions are the same as the earlier
	// ones (Istio's duplicate match), false when the earlier ones are wider.
	Duplicate bool
	// Path is the data path of the finding's node: "spec.http[1]" for a
	// route, "spec.tcp[1].match[0]" for a match block.
	Path string
	// ByPath is the data path of what takes the traffic instead.
	ByPath string
	// Reason says, in a sentence, why it never takes effect.
	Reason string
}

// routeList abstracts the http, tcp and tls route lists for the analyses,
// which are the same for all three.
type routeList struct {
	kind   string
	routes []int // index in the manifest of each non-nil route
	count  []int // number of match blocks of each
	names  []string
	blocks int // match blocks in all routes
	// keys holds each block's conditions in a canonical serialization, so
	// that identical blocks (Istio compares them as JSON without their
	// names) have equal keys.
	keys [][]string
	// first maps a key to the first block that has it, in evaluation order.
	first map[string][2]int
	// covers reports that block (r1, m1) takes every request (r2, m2) does.
	covers func(r1, m1, r2, m2 int) bool
	// catchAll reports that a block takes every request.
	catchAll func(r, m int) bool
}

// Unreachable returns the routes of vs that can never match, as istioctl
// analyze's IST0130 finds them: every route after a catch-all (a route
// without match blocks, or with a block that matches everything), and every
// route whose match blocks all repeat match blocks of earlier routes. It looks
// at the http, tcp and tls lists; findings are in that order, then by route.
func Unreachable(vs *networkingv1.VirtualService) []Finding {
	var out []Finding
	for _, l := range routeLists(vs) {
		out = append(out, l.unreachable()...)
	}
	return out
}

// Ineffective returns the match blocks of vs that an earlier match block
// already covers, so that they have no effect (istioctl analyze's IST0131).
// An earlier block covers a later one when every request the later one
// accepts is certainly accepted by the earlier one: all its conditions are
// implied by the later block's. Per condition:
//
//   - a condition the earlier block lacks is implied by anything;
//   - exact covers the same exact only; prefix covers a prefix that extends it
//     ("/api/v1/product" covers "/api/v1/products") but not an exact, as
//     IST0131 compares prefixes only; a regex covers the identical regex only,
//     except ".*", which matches everything, and "*", Istio's presence check;
//   - a header, query parameter or withoutHeaders condition must be present
//     in the later block under the same name, and implied by it;
//   - sourceLabels of the earlier block must all be in the later one;
//     gateways of the later block must all be among the earlier one's;
//   - different methods, ports or namespaces never cover each other.
//
// Blocks of the same route and of earlier routes are both considered, the
// earliest covering block is named, and identical blocks are preferred.
// Routes that Unreachable reports after a catch-all are left to it. A route
// list with more than 2,000 match blocks is checked for identical blocks only.
func Ineffective(vs *networkingv1.VirtualService) []Finding {
	var out []Finding
	for _, l := range routeLists(vs) {
		out = append(out, l.ineffective()...)
	}
	return out
}

// Coverage returns what Unreachable and Ineffective return, from one
// analysis of vs's route lists.
func Coverage(vs *networkingv1.VirtualService) (unreachable, ineffective []Finding) {
	for _, l := range routeLists(vs) {
		unreachable = append(unreachable, l.unreachable()...)
		ineffective = append(ineffective, l.ineffective()...)
	}
	return unreachable, ineffective
}

func (l *routeList) unreachable() []Finding {
	var out []Finding
	catch, catchMatch := -1, -1
	for r := range l.routes {
		if catch >= 0 {
			f := l.finding(r, -1, catch, catchMatch, false)
			if catchMatch < 0 {
				f.Reason = fmt.Sprintf("%s can never match: %s before it has no match conditions and takes every request",
					l.describe(r), l.describe(catch))
			} else {
				f.Reason = fmt.Sprintf("%s can never match: match[%d] of %s before it matches every request",
					l.describe(r), catchMatch, l.describe(catch))
			}
			out = append(out, f)
			continue
		}
		if l.count[r] == 0 {
			catch, catchMatch = r, -1
			continue
		}
		by, byMatch := -1, -1
		allDup := true
		for m := 0; m < l.count[r] && allDup; m++ {
			r2, m2 := l.firstSame(r, m)
			if r2 >= r {
				r2 = -1 // only in its own route: that does not make it unreachable
			}
			if r2 < 0 {
				allDup = false
			} else if by < 0 {
				by, byMatch = r2, m2
			}
		}
		if allDup {
			f := l.finding(r, -1, by, byMatch, true)
			f.Reason = fmt.Sprintf("%s can never match: each of its match blocks repeats one of an earlier route", l.describe(r))
			out = append(out, f)
		}
		for m := 0; m < l.count[r]; m++ {
			if l.catchAll(r, m) {
				catch, catchMatch = r, m
				break
			}
		}
	}
	return out
}

func (l *routeList) ineffective() []Finding {
	var out []Finding
	for r := range l.routes {
		if l.count[r] == 0 {
			return out // everything after it is unreachable
		}
		for m := 0; m < l.count[r]; m++ {
			dup := true
			r2, m2 := l.firstSame(r, m)
			if r2 < 0 {
				dup = false
				if l.blocks <= maxCoverBlocks {
					r2, m2 = l.find(r, m, l.covers, true)
				}
			}
			if r2 < 0 {
				continue
			}
			f := l.finding(r, m, r2, m2, dup)
			earlier := fmt.Sprintf("match[%d] of %s", m2, l.describe(r2))
			if r2 == r {
				earlier = fmt.Sprintf("match[%d] of the same route", m2)
			}
			if dup {
				f.Reason = fmt.Sprintf("match[%d] of %s has no effect: it repeats %s, which is tried first",
					m, l.describe(r), earlier)
			} else {
				f.Reason = fmt.Sprintf("match[%d] of %s has no effect: %s, tried first, matches every request it matches",
					m, l.describe(r), earlier)
			}
			out = append(out, f)
		}
		for m := 0; m < l.count[r]; m++ {
			if l.catchAll(r, m) {
				return out
			}
		}
	}
	return out
}

// firstSame returns the first block, in evaluation order, before (r, m) with
// the same conditions; -1, -1 if none.
func (l *routeList) firstSame(r, m int) (int, int) {
	f := l.first[l.keys[r][m]]
	if f[0] == r && f[1] == m {
		return -1, -1
	}
	return f[0], f[1]
}

// find returns the first block before (r, m) in evaluation order, in an
// earlier route or (with sameRoute) earlier in route r, for which rel(it, (r,
// m)) holds; -1, -1 if none.
func (l *routeList) find(r, m int, rel func(r1, m1, r2, m2 int) bool, sameRoute bool) (int, int) {
	for r2 := 0; r2 < r; r2++ {
		for m2 := 0; m2 < l.count[r2]; m2++ {
			if rel(r2, m2, r, m) {
				return r2, m2
			}
		}
	}
	if sameRoute {
		for m2 := 0; m2 < m; m2++ {
			if rel(r, m2, r, m) {
				return r, m2
			}
		}
	}
	return -1, -1
}

// maxCoverBlocks bounds the quadratic search for covering blocks: a route
// list with more match blocks than this (far beyond any hand-written
// VirtualService) is checked for identical blocks only, which takes linear
// time.
const maxCoverBlocks = 2000

// index computes keys' first occurrences and the block count.
func (l *routeList) index() {
	l.first = make(map[string][2]int)
	for r := range l.keys {
		for m, k := range l.keys[r] {
			l.blocks++
			if _, ok := l.first[k]; !ok {
				l.first[k] = [2]int{r, m}
			}
		}
	}
}

// key serializes a match block deterministically; equal keys mean equal
// messages, as proto.Equal would say.
func key(m proto.Message) string {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return "error: " + err.Error()
	}
	return string(b)
}

func (l *routeList) finding(r, m, by, byMatch int, dup bool) Finding {
	return Finding{
		Kind: l.kind, Route: l.routes[r], Match: m, By: l.routes[by], ByMatch: byMatch, Duplicate: dup,
		Path: dataPath(l.kind, l.routes[r], m), ByPath: dataPath(l.kind, l.routes[by], byMatch),
	}
}

// describe names a route for a sentence: `http route 1 ("reviews-v2")`.
func (l *routeList) describe(r int) string {
	s := fmt.Sprintf("%s route %d", l.kind, l.routes[r])
	if l.names[r] != "" {
		s += fmt.Sprintf(" (%q)", l.names[r])
	}
	return s
}

func routeLists(vs *networkingv1.VirtualService) []*routeList {
	if vs == nil {
		return nil
	}
	// Coverage needs no namespace: gateway names are compared as written,
	// after resolving what can be resolved without one. Two spellings of one
	// gateway then count as different, which only silences a finding.
	vsGW := resolveGateways(vs.GetGateways(), "", true)
	return []*routeList{httpList(vs.GetHttp(), vsGW), tcpList(vs.GetTcp(), vsGW), tlsList(vs.GetTls(), vsGW)}
}

func httpList(in []*networkingv1.HTTPRoute, vsGW []string) *routeList {
	l := &routeList{kind: KindHTTP}
	var src [][]*networkingv1.HTTPMatchRequest
	for i, h := range in {
		if h == nil {
			continue
		}
		l.routes = append(l.routes, i)
		l.count = append(l.count, len(h.GetMatch()))
		l.names = append(l.names, h.GetName())
		ms := make([]*networkingv1.HTTPMatchRequest, len(h.GetMatch()))
		ks := make([]string, len(h.GetMatch()))
		for j, m := range h.GetMatch() {
			if m == nil {
				m = &networkingv1.HTTPMatchRequest{}
			}
			ms[j] = m
			if m.GetName() != "" {
				c := proto.Clone(m).(*networkingv1.HTTPMatchRequest)
				c.Name = ""
				m = c
			}
			ks[j] = key(m)
		}
		src = append(src, ms)
		l.keys = append(l.keys, ks)
	}
	l.index()
	empty := &networkingv1.HTTPMatchRequest{}
	l.covers = func(r1, m1, r2, m2 int) bool { return coversHTTP(src[r1][m1], src[r2][m2], vsGW) }
	l.catchAll = func(r, m int) bool { return coversHTTP(src[r][m], empty, vsGW) }
	return l
}

func tcpList(in []*networkingv1.TCPRoute, vsGW []string) *routeList {
	return l4List(KindTCP, in, coversL4, vsGW)
}

func tlsList(in []*networkingv1.TLSRoute, vsGW []string) *routeList {
	return l4List(KindTLS, in, coversTLS, vsGW)
}

// l4List builds the route list of TCP or TLS routes, whose match blocks
// have no names and the same shape of analysis.
func l4List[R interface {
	comparable
	GetMatch() []M
}, M interface {
	comparable
	proto.Message
}](kind string, in []R, covers func(a, b M, vsGW []string) bool, vsGW []string) *routeList {
	l := &routeList{kind: kind}
	var zeroRoute R
	var zeroMatch M
	empty := zeroMatch.ProtoReflect().New().Interface().(M)
	var src [][]M
	for i, t := range in {
		if t == zeroRoute {
			continue
		}
		l.routes = append(l.routes, i)
		l.count = append(l.count, len(t.GetMatch()))
		l.names = append(l.names, "")
		ms := make([]M, len(t.GetMatch()))
		ks := make([]string, len(t.GetMatch()))
		for j, m := range t.GetMatch() {
			if m == zeroMatch {
				m = empty
			}
			ms[j] = m
			ks[j] = key(m)
		}
		src = append(src, ms)
		l.keys = append(l.keys, ks)
	}
	l.index()
	l.covers = func(r1, m1, r2, m2 int) bool { return covers(src[r1][m1], src[r2][m2], vsGW) }
	l.catchAll = func(r, m int) bool { return covers(src[r][m], empty, vsGW) }
	return l
}

// coversHTTP reports whether HTTP match block a accepts every request that b
// accepts. It errs towards false.
func coversHTTP(a, b *networkingv1.HTTPMatchRequest, vsGW []string) bool {
	if !coversHTTPSource(a, b, vsGW) {
		return false
	}
	if a.GetPort() != 0 && a.GetPort() != b.GetPort() {
		return false
	}
	if !coversURI(a, b) {
		return false
	}
	// :scheme, :method and :authority are always present, so a presence
	// check on them is no condition.
	if !coversPseudo(a.GetScheme(), b.GetScheme()) ||
		!coversPseudo(a.GetMethod(), b.GetMethod()) ||
		!coversPseudo(a.GetAuthority(), b.GetAuthority()) {
		return false
	}
	if !coversNamed(a.GetHeaders(), b.GetHeaders(), true) ||
		!coversNamed(a.GetQueryParams(), b.GetQueryParams(), false) {
		return false
	}
	return coversWithout(a.GetWithoutHeaders(), b.GetWithoutHeaders())
}

// coversHTTPSource compares the source conditions as istiod applies them
// (sourceMatchHTTP): match-level gateways, when set, replace the
// VirtualService's and make sourceLabels and sourceNamespace irrelevant.
func coversHTTPSource(a, b *networkingv1.HTTPMatchRequest, vsGW []string) bool {
	aGW := resolveGateways(a.GetGateways(), "", false)
	bGW := resolveGateways(b.GetGateways(), "", false)
	if len(aGW) > 0 {
		eff := bGW
		if len(eff) == 0 {
			eff = vsGW
		}
		return subsetOf(eff, aGW)
	}
	if len(bGW) > 0 {
		return subsetOf(bGW, vsGW) && len(a.GetSourceLabels()) == 0 && a.GetSourceNamespace() == ""
	}
	return labelsCover(a.GetSourceLabels(), b.GetSourceLabels()) &&
		(a.GetSourceNamespace() == "" || a.GetSourceNamespace() == b.GetSourceNamespace())
}

func labelsCover(a, b map[string]string) bool {
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func subsetOf(sub, super []string) bool {
	for _, s := range sub {
		if !contains(super, s) {
			return false
		}
	}
	return true
}

// universal reports whether a StringMatch accepts every value of something
// that is present: no match type, regex "*" (Istio's presence check) or
// regex ".*".
func universal(sm *networkingv1.StringMatch) bool {
	if sm.GetMatchType() == nil {
		return true
	}
	re, ok := sm.GetMatchType().(*networkingv1.StringMatch_Regex)
	return ok && (re.Regex == "*" || re.Regex == ".*")
}

// coversValue reports whether every value that b accepts is accepted by a,
// when neither is universal.
func coversValue(a, b *networkingv1.StringMatch) bool {
	switch am := a.GetMatchType().(type) {
	case *networkingv1.StringMatch_Exact:
		bm, ok := b.GetMatchType().(*networkingv1.StringMatch_Exact)
		return ok && bm.Exact == am.Exact
	case *networkingv1.StringMatch_Prefix:
		bm, ok := b.GetMatchType().(*networkingv1.StringMatch_Prefix)
		return ok && strings.HasPrefix(bm.Prefix, am.Prefix)
	case *networkingv1.StringMatch_Regex:
		bm, ok := b.GetMatchType().(*networkingv1.StringMatch_Regex)
		return ok && bm.Regex == am.Regex
	}
	return false
}

func coversPseudo(a, b *networkingv1.StringMatch) bool {
	if a == nil || universal(a) {
		return true
	}
	if b == nil || universal(b) {
		return false
	}
	return coversValue(a, b)
}

// coversURI compares URI conditions. A block without a URI condition (or
// with a URI StringMatch without type) has Envoy's default, prefix "/".
// ignoreUriCase widens exact and prefix matches but not regexes.
func coversURI(a, b *networkingv1.HTTPMatchRequest) bool {
	au, bu := a.GetUri(), b.GetUri()
	if re, ok := au.GetMatchType().(*networkingv1.StringMatch_Regex); au.GetMatchType() == nil || ok && re.Regex == ".*" {
		return true
	}
	if bu.GetMatchType() == nil {
		bu = &networkingv1.StringMatch{MatchType: &networkingv1.StringMatch_Prefix{Prefix: "/"}}
	}
	aFold, bFold := a.GetIgnoreUriCase(), b.GetIgnoreUriCase()
	switch am := au.GetMatchType().(type) {
	case *networkingv1.StringMatch_Exact:
		bm, ok := bu.GetMatchType().(*networkingv1.StringMatch_Exact)
		if !ok {
			return false
		}
		if aFold {
			return len(bm.Exact) == len(am.Exact) && asciiEqualFold(bm.Exact, am.Exact)
		}
		return !bFold && bm.Exact == am.Exact
	case *networkingv1.StringMatch_Prefix:
		bm, ok := bu.GetMatchType().(*networkingv1.StringMatch_Prefix)
		if !ok {
			return false
		}
		if aFold {
			return len(bm.Prefix) >= len(am.Prefix) && asciiEqualFold(bm.Prefix[:len(am.Prefix)], am.Prefix)
		}
		return !bFold && strings.HasPrefix(bm.Prefix, am.Prefix)
	}
	return coversValue(au, bu)
}

// coversNamed compares header or query parameter conditions: every condition
// of a must be in b under the same name and implied by it. Any condition in b
// implies presence, which is all that a universal condition in a asks.
func coversNamed(a, b map[string]*networkingv1.StringMatch, foldNames bool) bool {
	for name, am := range a {
		bm, ok := lookupNamed(b, name, foldNames)
		if !ok {
			return false
		}
		if universal(am) {
			continue
		}
		if universal(bm) || !coversValue(am, bm) {
			return false
		}
	}
	return true
}

func lookupNamed(m map[string]*networkingv1.StringMatch, name string, fold bool) (*networkingv1.StringMatch, bool) {
	if v, ok := m[name]; ok {
		return v, true
	}
	if fold {
		for k, v := range m {
			if strings.EqualFold(k, name) {
				return v, true
			}
		}
	}
	return nil, false
}

// coversWithout compares withoutHeaders conditions. a's condition on a header
// rejects requests whose value (the empty string when the header is missing)
// matches it, or, for a presence check, requests that have the header. b
// implies it when b rejects at least as much.
func coversWithout(a, b map[string]*networkingv1.StringMatch) bool {
	for name, am := range a {
		bm, ok := lookupNamed(b, name, true)
		if !ok {
			return false
		}
		aPresent, bPresent := isPresenceCheck(am), isPresenceCheck(bm)
		switch {
		case aPresent:
			if !bPresent {
				return false
			}
		case bPresent:
			// b requires the header to be absent, which a sees as "".
			sm := newStrMatcher(am)
			if sm.match("") {
				return false
			}
		default:
			// a rejects what matches am; b rejects what matches bm. b implies
			// a when every value matching am also matches bm.
			if !universal(bm) && !coversValue(bm, am) {
				return false
			}
		}
	}
	return true
}

// isPresenceCheck mirrors istiod's canBeConvertedToPresentMatch.
func isPresenceCheck(sm *networkingv1.StringMatch) bool {
	if sm.GetMatchType() == nil {
		return true
	}
	re, ok := sm.GetMatchType().(*networkingv1.StringMatch_Regex)
	return ok && re.Regex == "*"
}

// coversL4 reports whether TCP match a accepts every connection b accepts.
// Gateways, source labels and namespace all apply together for TCP.
func coversL4(a, b *networkingv1.L4MatchAttributes, vsGW []string) bool {
	return coversL4Source(a.GetGateways(), b.GetGateways(), vsGW) &&
		labelsCover(a.GetSourceLabels(), b.GetSourceLabels()) &&
		(a.GetSourceNamespace() == "" || a.GetSourceNamespace() == b.GetSourceNamespace()) &&
		(a.GetPort() == 0 || a.GetPort() == b.GetPort()) &&
		(a.GetSourceSubnet() == "" || a.GetSourceSubnet() == b.GetSourceSubnet()) && //nolint:staticcheck // deprecated but still matched by Istio
		subnetsCover(a.GetDestinationSubnets(), b.GetDestinationSubnets())
}

// coversTLS reports whether TLS match a accepts every connection b accepts.
func coversTLS(a, b *networkingv1.TLSMatchAttributes, vsGW []string) bool {
	return coversL4Source(a.GetGateways(), b.GetGateways(), vsGW) &&
		labelsCover(a.GetSourceLabels(), b.GetSourceLabels()) &&
		(a.GetSourceNamespace() == "" || a.GetSourceNamespace() == b.GetSourceNamespace()) &&
		(a.GetPort() == 0 || a.GetPort() == b.GetPort()) &&
		subnetsCover(a.GetDestinationSubnets(), b.GetDestinationSubnets()) &&
		sniCover(a.GetSniHosts(), b.GetSniHosts())
}

func coversL4Source(a, b, vsGW []string) bool {
	aGW := resolveGateways(a, "", false)
	if len(aGW) == 0 {
		aGW = vsGW
	}
	bGW := resolveGateways(b, "", false)
	if len(bGW) == 0 {
		bGW = vsGW
	}
	return subsetOf(bGW, aGW)
}

// subnetsCover reports whether every subnet of b lies inside a subnet of a.
// An empty list is no condition.
func subnetsCover(a, b []string) bool {
	if len(a) == 0 {
		return true
	}
	if len(b) == 0 {
		return false
	}
	for _, sb := range b {
		pb, okb := parseSubnet(sb)
		found := false
		for _, sa := range a {
			if sa == sb {
				found = true
				break
			}
			pa, oka := parseSubnet(sa)
			if oka && okb && pa.Bits() <= pb.Bits() && pa.Contains(pb.Addr()) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func parseSubnet(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

// sniCover reports whether every SNI host of b is matched by a host of a,
// where "*" matches everything and "*.example.com" every name under it.
func sniCover(a, b []string) bool {
	if len(a) == 0 || contains(a, "*") {
		return true
	}
	if len(b) == 0 {
		return false
	}
	for _, hb := range b {
		hb = strings.ToLower(hb)
		found := false
		for _, ha := range a {
			ha = strings.ToLower(ha)
			if ha == hb || ha == "*" || strings.HasPrefix(ha, "*.") && strings.HasSuffix(hb, ha[1:]) && len(hb) > len(ha)-1 {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
