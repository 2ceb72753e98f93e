package rawfile

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteThenOpen(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.yaml")
	want := bytes.Repeat([]byte("kind: VirtualService\n"), 10000) // several writes' worth
	if err := WriteFile(p, []byte("old content that is longer than nothing"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, want, 0o644); err != nil { // truncates
		t.Fatal(err)
	}
	f, size, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) || size != int64(len(want)) {
		t.Errorf("read %d bytes (size %d), want the %d written", len(got), size, len(want))
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v (%v): rewriting a file keeps its mode, as os.WriteFile does", fi.Mode(), err)
	}
}

func TestErrorsNameThePath(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "such.yaml")
	if _, _, err := Open(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open of a missing file = %v, want ErrNotExist", err)
	}
	var pe *fs.PathError
	if err := WriteFile(missing, nil, 0o644); !errors.As(err, &pe) || pe.Path != missing {
		t.Errorf("WriteFile into a missing directory = %v, want a PathError naming it", err)
	}
	if _, size, err := Open(dir); err != nil || size != -1 {
		t.Errorf("Open of a directory = size %d, %v; want size -1", size, err)
	}
}
