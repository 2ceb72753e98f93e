//go:build !unix

package tree

import "os"

var createFile = os.WriteFile
