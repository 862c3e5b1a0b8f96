package cmdlets

import (
	"os"

	"github.com/spf13/cobra/doc"
)

// WriteMarkdownDocs writes a page per command into dir. The root is built
// with a fixed version and no auto-generated date line so output is stable.
func WriteMarkdownDocs(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root := NewRootCmd(NewFactory("docs"))
	root.DisableAutoGenTag = true
	// cobra adds `completion` only when the command executes; add it now so
	// it gets a page too.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		c.DisableAutoGenTag = true
	}
	return doc.GenMarkdownTree(root, dir)
}
