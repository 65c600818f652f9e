package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/lgwagent/lgw/udp/gwmp"
	"github.com/lgwagent/lgw/udp/udptest"
)

// TestUDPOnlyDaemon runs `lgw run` with one [[forwarder]] and MQTT
// turned off (no broker anywhere): uplinks reach the UDP network server
// as rxpk, a stat follows, a class A PULL_RESP is acknowledged, and `lgw
// status` shows the server up and MQTT disabled.
func TestUDPOnlyDaemon(t *testing.T) {
	dir := t.TempDir()
	srv := udptest.New(t)
	root, _ := filepath.Abs("..")
	cfg := fmt.Sprintf(`[gateway]
id = "00000000e2e00002"
region = "EU868"
[concentrator]
board = "sim"
[concentrator.sim]
traffic = %q
[mqtt]
enabled = false
[[forwarder]]
server = "127.0.0.1"
port_up = %d
port_down = %d
keepalive = "1s"
stat_interval = "2s"
[storage]
dir = %q
[control]
socket = %q
`, filepath.Join(root, "examples", "traffic.jsonl"), srv.PortUp(), srv.PortDown(), filepath.Join(dir, "state"),
		filepath.Join(dir, "lgw.sock"))
	p := filepath.Join(dir, "lgw.toml")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, dir, p)

	up := srv.NextRXPK()
	if srv.EUI().String() != "00000000e2e00002" || up.Modu != "LORA" || up.Stat != 1 || len(up.Data) == 0 {
		t.Fatalf("rxpk %+v from %v", up, srv.EUI())
	}
	tmst, powe := up.Tmst+1000000, int32(14)
	srv.SendTxpk(77, gwmp.TXPK{Tmst: &tmst, Freq: up.Freq, Powe: &powe, Modu: "LORA", DatR: up.DatR, CodR: "4/5",
		IPol: true, Data: gwmp.Data{0x60, 1, 2, 3, 4, 0, 0, 0, 1, 2, 3, 4}})
	if a := srv.NextTxAck(); a.Token != 77 || a.Info.Error != gwmp.AckNone {
		t.Fatalf("TX_ACK %+v", a)
	}
	if st := srv.NextStat(); st.RxNb == 0 {
		t.Fatalf("stat %+v", st)
	}
	out, err := exec.Command(lgwBin, "status", "--socket", d.socket).CombinedOutput()
	if err != nil {
		t.Fatalf("lgw status: %v\n%s", err, out)
	}
	for _, want := range []string{`mqtt\s+disabled`, fmt.Sprintf(`udp 127\.0\.0\.1:%d/%d\s+up since `, srv.PortUp(), srv.PortDown())} {
		if !regexp.MustCompile(want).Match(out) {
			t.Errorf("lgw status lacks %q:\n%s", want, out)
		}
	}
	d.stop(t)
}
