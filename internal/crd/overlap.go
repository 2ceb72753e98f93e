package crd

import "strings"

// firstOverlaps returns, for each host of a VirtualService, the index of
// the first earlier host it overlaps (hostsOverlap), or -1.
//
// Hosts go into a trie of their reversed, lower-cased names: a host
// overlaps an earlier one when they are equal, when a wildcard's suffix
// ends a name (*.example.com and api.example.com), or when one wildcard's
// suffix ends the other's. Walking a host's reversed name down the trie
// meets the wildcards whose suffix ends it; the node it stops at holds the
// first earlier host of each kind that it is itself a suffix of. Each host
// costs time proportional to its length.
func firstOverlaps(hosts []string) []int {
	t := &suffixTrie{nodes: []trieNode{newTrieNode(0)}}
	out := make([]int, len(hosts))
	for j, h := range hosts {
		h = strings.ToLower(h)
		wild := strings.HasPrefix(h, "*")
		suffix := h
		if wild {
			suffix = h[1:]
		}
		first := -1
		better := func(i int32) {
			if i >= 0 && (first < 0 || int(i) < first) {
				first = int(i)
			}
		}
		// Wildcards whose suffix ends this host's name (or suffix):
		// every node on the path, the root ("*") included.
		n := int32(0)
		better(t.nodes[0].endWild)
		for k := len(suffix) - 1; k >= 0 && n >= 0; k-- {
			n = t.child(n, suffix[k])
			if n >= 0 {
				better(t.nodes[n].endWild)
			}
		}
		if n >= 0 {
			if wild {
				// Earlier names, and wildcards, that end with this
				// wildcard's suffix.
				better(t.nodes[n].minName)
				better(t.nodes[n].minWild)
			} else {
				better(t.nodes[n].endName) // the same name
			}
		}
		out[j] = first
		t.insert(suffix, wild, int32(j))
	}
	return out
}

type suffixTrie struct {
	nodes []trieNode
}

// trieNode is a node of the trie of reversed host names. Children are a
// linked list: host names have a small alphabet.
type trieNode struct {
	c                   byte
	firstChild, sibling int32
	// endName and endWild are the first name, and the first wildcard's
	// suffix, that end at this node; minName and minWild the first that
	// pass through it (have it as a suffix). -1 for none.
	endName, endWild, minName, minWild int32
}

func newTrieNode(c byte) trieNode {
	return trieNode{c: c, firstChild: -1, sibling: -1, endName: -1, endWild: -1, minName: -1, minWild: -1}
}

func (t *suffixTrie) child(n int32, c byte) int32 {
	for k := t.nodes[n].firstChild; k >= 0; k = t.nodes[k].sibling {
		if t.nodes[k].c == c {
			return k
		}
	}
	return -1
}

// insert adds the reversed suffix of host i. Hosts are inserted in order,
// so the first index set on a node is the smallest.
func (t *suffixTrie) insert(suffix string, wild bool, i int32) {
	n := int32(0)
	mark := func(n int32) {
		nd := &t.nodes[n]
		if wild && nd.minWild < 0 {
			nd.minWild = i
		}
		if !wild && nd.minName < 0 {
			nd.minName = i
		}
	}
	mark(0)
	for k := len(suffix) - 1; k >= 0; k-- {
		c := suffix[k]
		next := t.child(n, c)
		if next < 0 {
			next = int32(len(t.nodes))
			nd := newTrieNode(c)
			nd.sibling = t.nodes[n].firstChild
			t.nodes = append(t.nodes, nd)
			t.nodes[n].firstChild = next
		}
		n = next
		mark(n)
	}
	nd := &t.nodes[n]
	if wild && nd.endWild < 0 {
		nd.endWild = i
	}
	if !wild && nd.endName < 0 {
		nd.endName = i
	}
}
