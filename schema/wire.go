package schema

import (
	"encoding/binary"
	"errors"
	"math"
)

// The evaluation of intent by CUE runs in a bounded child process (see
// evaluate.go), which sends back Node trees and Errors. wire is their
// encoding: varints, with file names sent once and then referred to by
// number, since every node of a tree carries one. A hand-written encoding
// rather than gob or JSON, because a tree of 10,000 rollouts has about a
// million positions and their repeated file names would dominate.

type wireWriter struct {
	buf   []byte
	files map[string]uint64
}

func newWireWriter() *wireWriter { return &wireWriter{files: map[string]uint64{}} }

func (w *wireWriter) uint(u uint64) { w.buf = binary.AppendUvarint(w.buf, u) }
func (w *wireWriter) int(i int64)   { w.buf = binary.AppendVarint(w.buf, i) }

func (w *wireWriter) str(s string) {
	w.uint(uint64(len(s)))
	w.buf = append(w.buf, s...)
}

// file writes a file name as its number, followed by the name itself the
// first time.
func (w *wireWriter) file(name string) {
	if i, ok := w.files[name]; ok {
		w.uint(i)
		return
	}
	i := uint64(len(w.files))
	w.files[name] = i
	w.uint(i)
	w.str(name)
}

func (w *wireWriter) pos(p Pos) {
	w.file(p.File)
	w.int(int64(p.Line))
	w.int(int64(p.Col))
}

func (w *wireWriter) node(n *Node) {
	w.buf = append(w.buf, byte(n.Kind))
	w.pos(n.Pos)
	switch n.Kind {
	case Bool:
		if n.Bool {
			w.buf = append(w.buf, 1)
		} else {
			w.buf = append(w.buf, 0)
		}
	case Int:
		w.int(n.Int)
	case Float:
		w.uint(math.Float64bits(n.Num))
	case String:
		w.str(n.Str)
	case Struct:
		w.uint(uint64(len(n.Fields)))
		for _, f := range n.Fields {
			w.str(f.Name)
			w.pos(f.KeyPos)
			w.node(f.Value)
		}
	case List:
		w.uint(uint64(len(n.Elems)))
		for _, e := range n.Elems {
			w.node(e)
		}
	}
}

func (w *wireWriter) errors(es Errors) {
	w.uint(uint64(len(es)))
	for _, e := range es {
		w.pos(e.Pos)
		w.str(e.Msg)
	}
}

var errWire = errors.New("malformed result of the evaluation")

type wireReader struct {
	buf   []byte
	files []string
	err   error
}

func (r *wireReader) fail() {
	if r.err == nil {
		r.err = errWire
	}
	r.buf = nil
}

func (r *wireReader) uint() uint64 {
	u, n := binary.Uvarint(r.buf)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.buf = r.buf[n:]
	return u
}

func (r *wireReader) int() int64 {
	i, n := binary.Varint(r.buf)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.buf = r.buf[n:]
	return i
}

func (r *wireReader) byte() byte {
	if len(r.buf) == 0 {
		r.fail()
		return 0
	}
	b := r.buf[0]
	r.buf = r.buf[1:]
	return b
}

func (r *wireReader) str() string {
	n := r.uint()
	if n > uint64(len(r.buf)) {
		r.fail()
		return ""
	}
	s := string(r.buf[:n])
	r.buf = r.buf[n:]
	return s
}

func (r *wireReader) file() string {
	i := r.uint()
	switch {
	case i < uint64(len(r.files)):
		return r.files[i]
	case i == uint64(len(r.files)) && r.err == nil:
		s := r.str()
		r.files = append(r.files, s)
		return s
	}
	r.fail()
	return ""
}

func (r *wireReader) pos() Pos {
	return Pos{File: r.file(), Line: int(r.int()), Col: int(r.int())}
}

// count reads a length, which cannot exceed the bytes left: each item takes
// at least one.
func (r *wireReader) count() int {
	n := r.uint()
	if n > uint64(len(r.buf)) {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *wireReader) node() *Node {
	n := &Node{Kind: Kind(r.byte())}
	n.Pos = r.pos()
	switch n.Kind {
	case Null, Incomplete:
	case Bool:
		n.Bool = r.byte() == 1
	case Int:
		n.Int = r.int()
		n.Num = float64(n.Int)
	case Float:
		n.Num = math.Float64frombits(r.uint())
	case String:
		n.Str = r.str()
	case Struct:
		c := r.count()
		n.Fields = make([]Field, 0, c)
		for range c {
			if r.err != nil {
				break
			}
			f := Field{Name: r.str(), KeyPos: r.pos()}
			f.Value = r.node()
			n.Fields = append(n.Fields, f)
		}
	case List:
		c := r.count()
		n.Elems = make([]*Node, 0, c)
		for range c {
			if r.err != nil {
				break
			}
			n.Elems = append(n.Elems, r.node())
		}
	default:
		r.fail()
	}
	return n
}

func (r *wireReader) errors() Errors {
	c := r.count()
	es := make(Errors, 0, c)
	for range c {
		if r.err != nil {
			break
		}
		es = append(es, Error{Pos: r.pos(), Msg: r.str()})
	}
	return es
}
