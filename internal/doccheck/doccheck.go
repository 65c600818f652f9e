// Package doccheck reads the examples of lgw's Markdown documentation so
// that tests can check them against the code: a fenced block preceded by
// an HTML comment "<!-- check: KIND ARG -->" is an example the test of the
// package that owns it must verify (a golden file, a command's output).
package doccheck

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
)

// Block is one checked example.
type Block struct {
	// Kind and Arg are the marker's words ("golden", "stats.json").
	Kind, Arg string
	// Line is the 1-based line of the marker.
	Line int
	// Text is the fenced block's content, with its final newline.
	Text string
}

// String names the block for test messages.
func (b Block) String() string { return fmt.Sprintf("line %d (%s %s)", b.Line, b.Kind, b.Arg) }

// Read returns the checked blocks of a Markdown file in order. A marker
// not followed by a fenced block is an error.
func Read(path string) ([]Block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Block
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	var pending *Block
	var inFence bool
	var text strings.Builder
	for sc.Scan() {
		n++
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case inFence && strings.HasPrefix(trimmed, "```"):
			inFence = false
			if pending != nil {
				pending.Text = text.String()
				out = append(out, *pending)
				pending = nil
			}
		case inFence:
			text.WriteString(line + "\n")
		case strings.HasPrefix(trimmed, "<!-- check:"):
			f := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(trimmed, "<!-- check:"), "-->"))
			if len(f) < 1 {
				return nil, fmt.Errorf("%s:%d: empty check marker", path, n)
			}
			pending = &Block{Kind: f[0], Arg: strings.Join(f[1:], " "), Line: n}
		case strings.HasPrefix(trimmed, "```"):
			inFence = true
			text.Reset()
		case trimmed != "" && pending != nil:
			return nil, fmt.Errorf("%s:%d: check marker not followed by a fenced block", path, pending.Line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if pending != nil {
		return nil, fmt.Errorf("%s:%d: check marker not followed by a fenced block", path, pending.Line)
	}
	return out, nil
}
