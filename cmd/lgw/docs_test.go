package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lgwagent/lgw/control"
	"github.com/lgwagent/lgw/control/controltest"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/internal/doccheck"
	"github.com/lgwagent/lgw/scheduler"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the outputs of docs/cli.md's examples")

// docAgent is the sample daemon the examples of docs/cli.md run against:
// controltest.Sample, whose test transmissions have their real airtime
// and are refused TOO_LATE when given a counter value.
func docAgent() *controltest.Agent {
	a := controltest.Sample()
	var seq atomic.Int32
	a.Tx = func(_ context.Context, req control.TxRequest) (control.TxResult, error) {
		ref := fmt.Sprintf("cli-%d", seq.Add(1))
		dr, err := hal.ParseDatr(req.Datr, hal.CR4_5)
		if err != nil {
			return control.TxResult{}, err
		}
		res := control.TxResult{Ref: ref, Freq: req.Freq, Datr: req.Datr, Power: req.Power, Size: len(req.Payload)}
		if req.At.Mode == control.AtCount {
			late := scheduler.Refuse(scheduler.TooLate, "starts in 4ms, minimum lead 10ms")
			res.Code, res.Detail = string(late.Code), scheduler.DetailOf(late)
			return res, nil
		}
		p := hal.TxPacket{Payload: req.Payload, Frequency: req.Freq, DataRate: dr, NoCRC: true}
		if res.Airtime, err = p.TimeOnAir(); err != nil {
			return control.TxResult{}, err
		}
		res.Code, res.Tmst = "SENT", 1000000
		return res, nil
	}
	return a
}

// TestCLIDocExamples runs every checked example of docs/cli.md ("$ lgw
// ..." lines, then the expected output) and compares the output, stdout
// then stderr, line by line; a line "..." in the document stands for any
// number of lines. Control commands run against docAgent ("output
// nodaemon" blocks against no daemon at all).
func TestCLIDocExamples(t *testing.T) {
	blocks, err := doccheck.Read(filepath.Join("..", "..", "docs", "cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	agent := docAgent()
	_, sock := controltest.Serve(t, agent)
	checked := 0
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	updated := string(doc)
	for _, b := range blocks {
		if b.Kind != "output" {
			t.Errorf("%s: unknown check kind", b)
			continue
		}
		for _, ex := range splitExamples(b.Text) {
			args := strings.Fields(strings.TrimPrefix(ex.cmd, "$ lgw "))
			if len(args) > 0 && isCtlCommand(args[0]) {
				if b.Arg == "nodaemon" {
					if _, err := os.Stat(control.DefaultSocket); err == nil {
						t.Logf("%s: %s exists here; example skipped", b, control.DefaultSocket)
						continue
					}
				} else {
					args = append(args, "--socket", sock)
				}
			}
			var out, errOut string
			if args[0] == "tail" {
				out, errOut = runTailExample(t, agent, args)
			} else {
				_, out, errOut = runCLI(args...)
			}
			got := strings.Split(strings.TrimSuffix(out+errOut, "\n"), "\n")
			if *updateDocs && !slices.ContainsFunc(ex.want, func(l string) bool { return strings.TrimSpace(l) == "..." }) {
				old := ex.cmd + "\n" + strings.Join(ex.want, "\n") + "\n"
				updated = strings.Replace(updated, old, ex.cmd+"\n"+out+errOut, 1)
				continue
			}
			if err := matchLines(ex.want, got); err != nil {
				t.Errorf("%s: %s: %v\n--- got\n%s--- want\n%s", b, ex.cmd, err, out+errOut, strings.Join(ex.want, "\n"))
			}
			checked++
		}
	}
	if *updateDocs {
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "cli.md"), []byte(updated), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if checked < 15 {
		t.Errorf("only %d examples checked: markers lost?", checked)
	}
}

// runTailExample runs a tail example while the agent publishes the
// sample uplink and report.
func runTailExample(t *testing.T, agent *controltest.Agent, args []string) (string, string) {
	t.Helper()
	if !slices.Contains(args, "--count") {
		t.Fatalf("tail example %v without --count would never end", args)
	}
	subscribed := agent.NextSubscribe()
	type result struct{ out, err string }
	done := make(chan result, 1)
	go func() {
		_, o, e := runCLI(args...)
		done <- result{o, e}
	}()
	select {
	case <-subscribed:
	case r := <-done:
		return r.out, r.err
	}
	agent.Publish(controltest.SampleUplink())
	agent.Publish(controltest.SampleReport())
	r := <-done
	return r.out, r.err
}

type example struct {
	cmd  string
	want []string
}

func splitExamples(text string) []example {
	var out []example
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if strings.HasPrefix(l, "$ lgw") {
			out = append(out, example{cmd: l})
			continue
		}
		if len(out) > 0 {
			out[len(out)-1].want = append(out[len(out)-1].want, l)
		}
	}
	return out
}

// matchLines compares got with want, where a want line "..." (any
// indentation) matches any number of lines.
func matchLines(want, got []string) error {
	if len(want) == 0 {
		if len(got) == 0 || (len(got) == 1 && got[0] == "") {
			return nil
		}
		return fmt.Errorf("unexpected %q", got[0])
	}
	if strings.TrimSpace(want[0]) == "..." {
		for i := 0; i <= len(got); i++ {
			if matchLines(want[1:], got[i:]) == nil {
				return nil
			}
		}
		return fmt.Errorf("no match after ...")
	}
	if len(got) == 0 {
		return fmt.Errorf("missing %q", want[0])
	}
	if want[0] != got[0] {
		return fmt.Errorf("got %q, want %q", got[0], want[0])
	}
	return matchLines(want[1:], got[1:])
}

// Every command the documentation and the example configurations name
// (`lgw COMMAND [SUBCOMMAND]` in backquotes) exists.
func TestDocumentedCommandsExist(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	more, _ := filepath.Glob(filepath.Join("..", "..", "examples", "*.toml"))
	files = append(append(files, more...), filepath.Join("..", "..", "README.md"), filepath.Join("..", "..", "packaging", "lgw.toml"))
	subs := map[string][]string{"config": {"check", "print"}, "firmware": {"import", "status"},
		"classb": {"pingslots", "beacon"}, "chip": {"info"}}
	cmds := commands()
	re := regexp.MustCompile("`lgw ([a-z][a-z-]*)( [a-z]+)?")
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			n++
			if _, ok := cmds[m[1]]; !ok {
				t.Errorf("%s: `lgw %s`: no such command", f, m[1])
				continue
			}
			if s, ok := subs[m[1]]; ok && m[2] != "" {
				sub := strings.TrimSpace(m[2])
				found := false
				for _, x := range s {
					found = found || x == sub
				}
				if !found {
					t.Errorf("%s: `lgw %s %s`: no such subcommand", f, m[1], sub)
				}
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d command mentions found", n)
	}
}
