package multicast_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/brocaar/lorawan/gps"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/scheduler"
)

// The cloud API's descriptive fields are stored, returned and survive a
// restart; CreatedAt is the creation time on the manager's clock.
func TestGroupNameDescriptionTagsCreatedAt(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, dir, nil)
	ti := 500
	in := multicast.CreateGroupInput{Id: "fw", Name: "firmware wave 3", Description: "street lights, north",
		Tags: []multicast.Tag{{Key: "site", Value: "north"}, {Key: "empty"}},
		LoRaWAN: multicast.GroupLoRaWAN{RfRegion: "EU868", DlClass: "ClassC",
			ParticipatingGateways: &multicast.ParticipatingGateways{GatewayList: []string{"gw-1"}, TransmissionInterval: &ti}}}
	if _, err := e.m.CreateMulticastGroup(ctx, in); err != nil {
		t.Fatal(err)
	}
	e.clk.Set(t0.Add(time.Minute))
	check := func(when string) {
		t.Helper()
		g, err := e.m.GetMulticastGroup(ctx, multicast.GroupIDInput{Id: "fw"})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(g)
		want := `{"Id":"fw","Name":"firmware wave 3","Description":"street lights, north","Status":"NoSession",` +
			`"CreatedAt":1772366400,"Tags":[{"Key":"site","Value":"north"},{"Key":"empty","Value":""}],` +
			`"LoRaWAN":{"RfRegion":"EU868","DlClass":"ClassC","ParticipatingGateways":{"GatewayList":["gw-1"],"TransmissionInterval":500},` +
			`"HasKeys":false,"NextFCnt":0}}`
		if string(b) != want {
			t.Errorf("%s:\n got %s\nwant %s", when, b, want)
		}
	}
	check("after create")
	e.m.Stop()
	e.open(t)
	check("after a restart")
}

func TestClientRequestTokenIdempotency(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, dir, nil)
	tok := "3d4b6c1e-0b9a-4f47-9a51-1c2f0e5d8a77"
	in := multicast.CreateGroupInput{ClientRequestToken: tok, Name: "a",
		LoRaWAN: multicast.GroupLoRaWAN{RfRegion: "EU868", DlClass: "ClassC"}}
	first, err := e.m.CreateMulticastGroup(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.m.CreateMulticastGroup(ctx, in)
	if err != nil || again.Id != first.Id {
		t.Fatalf("retry: %+v %v, want the first result %q", again, err, first.Id)
	}
	other := in
	other.Name = "b"
	_, err = e.m.CreateMulticastGroup(ctx, other)
	wantErr(t, err, apierr.Conflict, "ClientRequestToken")
	// The token is kept across a restart.
	e.m.Stop()
	e.open(t)
	if again, err := e.m.CreateMulticastGroup(ctx, in); err != nil || again.Id != first.Id {
		t.Fatalf("retry after a restart: %+v %v", again, err)
	}
	_, err = e.m.CreateMulticastGroup(ctx, other)
	wantErr(t, err, apierr.Conflict, "ClientRequestToken")
	if l, _ := multicast.ListAll(ctx, e.m); len(l) != 1 {
		t.Fatalf("%d groups, want 1", len(l))
	}
	// A fresh token creates another group.
	other.ClientRequestToken = "second"
	if o, err := e.m.CreateMulticastGroup(ctx, other); err != nil || o.Id == first.Id {
		t.Fatalf("new token: %+v %v", o, err)
	}
	for _, bad := range []string{"has space", "x/y", string(make([]byte, 65))} {
		_, err := e.m.CreateMulticastGroup(ctx, multicast.CreateGroupInput{ClientRequestToken: bad,
			LoRaWAN: multicast.GroupLoRaWAN{RfRegion: "EU868", DlClass: "ClassC"}})
		wantErr(t, err, apierr.Validation, "ClientRequestToken")
	}
}

func TestDescriptiveFieldLimits(t *testing.T) {
	e := newEnv(t, t.TempDir(), nil)
	lw := multicast.GroupLoRaWAN{RfRegion: "EU868", DlClass: "ClassC"}
	long := func(n int) string { return string(make([]rune, n)) }
	tags := make([]multicast.Tag, 201)
	for i := range tags {
		tags[i] = multicast.Tag{Key: fmt.Sprint(i)}
	}
	tooLong := 60001
	tests := []struct {
		in    multicast.CreateGroupInput
		field string
	}{
		{multicast.CreateGroupInput{Name: long(257), LoRaWAN: lw}, "Name"},
		{multicast.CreateGroupInput{Description: long(2049), LoRaWAN: lw}, "Description"},
		{multicast.CreateGroupInput{Tags: tags, LoRaWAN: lw}, "Tags"},
		{multicast.CreateGroupInput{Tags: []multicast.Tag{{Key: ""}}, LoRaWAN: lw}, "Tags[0].Key"},
		{multicast.CreateGroupInput{LoRaWAN: multicast.GroupLoRaWAN{RfRegion: "EU868", DlClass: "ClassC",
			ParticipatingGateways: &multicast.ParticipatingGateways{TransmissionInterval: &tooLong}}},
			"LoRaWAN.ParticipatingGateways.TransmissionInterval"},
		{multicast.CreateGroupInput{LoRaWAN: multicast.GroupLoRaWAN{RfRegion: "EU868", DlClass: "ClassC",
			DefaultSessionParameters: &multicast.DefaultSessionParameters{DlDr: ip(9)}}},
			"LoRaWAN.DefaultSessionParameters.DlDr"},
		{multicast.CreateGroupInput{LoRaWAN: multicast.GroupLoRaWAN{RfRegion: "EU868", DlClass: "ClassC", McNwkSKey: nwkKey,
			McAppSKey: appKey}}, "LoRaWAN.McAddr"},
	}
	for _, tc := range tests {
		_, err := e.m.CreateMulticastGroup(ctx, tc.in)
		wantErr(t, err, apierr.Validation, tc.field)
	}
	if _, err := e.m.CreateMulticastGroup(ctx, multicast.CreateGroupInput{Name: long(256), Description: long(2048),
		LoRaWAN: lw}); err != nil {
		t.Fatalf("at the limits: %v", err)
	}
}

func TestListPagination(t *testing.T) {
	e := newEnv(t, t.TempDir(), nil)
	for i := 0; i < 7; i++ {
		if _, err := e.m.CreateMulticastGroup(ctx, multicast.CreateGroupInput{Id: fmt.Sprintf("g%d", i), Name: fmt.Sprintf("n%d", i),
			LoRaWAN: multicast.GroupLoRaWAN{RfRegion: "EU868", DlClass: "ClassC"}}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	in := multicast.ListGroupsInput{MaxResults: ip(3)}
	pages := 0
	for {
		l, err := e.m.ListMulticastGroups(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(l.MulticastGroupList) > 3 || len(l.List) != len(l.MulticastGroupList) {
			t.Fatalf("page %d: %d entries, %d in the deprecated List", pages, len(l.MulticastGroupList), len(l.List))
		}
		for i, g := range l.MulticastGroupList {
			if g.Name != "n"+g.Id[1:] || l.List[i].Id != g.Id {
				t.Errorf("entry %+v / %+v", g, l.List[i])
			}
			got = append(got, g.Id)
		}
		if l.NextToken == "" {
			break
		}
		if pages == 1 {
			// A group deleted between pages does not shift the next one.
			if err := e.m.DeleteMulticastGroup(ctx, multicast.GroupIDInput{Id: "g4"}); err != nil {
				t.Fatal(err)
			}
		}
		in.NextToken = l.NextToken
	}
	if fmt.Sprint(got) != "[g0 g1 g2 g3 g5 g6]" || pages != 2 {
		t.Fatalf("pages %d: %v", pages, got)
	}
	// Absent or 0 MaxResults: everything on one page.
	for _, mr := range []*int{nil, ip(0)} {
		l, err := e.m.ListMulticastGroups(ctx, multicast.ListGroupsInput{MaxResults: mr})
		if err != nil || len(l.MulticastGroupList) != 6 || l.NextToken != "" {
			t.Fatalf("MaxResults %v: %+v %v", mr, l, err)
		}
	}
	_, err := e.m.ListMulticastGroups(ctx, multicast.ListGroupsInput{MaxResults: ip(251)})
	wantErr(t, err, apierr.Validation, "MaxResults")
	_, err = e.m.ListMulticastGroups(ctx, multicast.ListGroupsInput{NextToken: "not-a-token!"})
	wantErr(t, err, apierr.Validation, "NextToken")
}

// An omitted SessionStartTime is the earliest allowed start, an omitted
// SessionTimeout DefaultSessionTimeout; a group's DefaultSessionParameters
// fill DlDr and DlFreq.
func TestSessionDefaults(t *testing.T) {
	e := newEnv(t, t.TempDir(), nil)
	f := uint32(869100000)
	if _, err := e.m.CreateMulticastGroup(ctx, multicast.CreateGroupInput{Id: "d", LoRaWAN: multicast.GroupLoRaWAN{
		RfRegion: "EU868", DlClass: "ClassC", DefaultSessionParameters: &multicast.DefaultSessionParameters{DlDr: ip(3), DlFreq: &f}}}); err != nil {
		t.Fatal(err)
	}
	e.clk.Set(t0.Add(300 * time.Millisecond))
	out, err := e.m.StartMulticastGroupSession(ctx, multicast.StartSessionInput{Id: "d"})
	if err != nil {
		t.Fatal(err)
	}
	want := multicast.SessionLoRaWANOutput{DlDr: 3, DlFreq: 869100000, SessionStartTime: "2026-03-01T12:30:01Z",
		SessionTimeout: multicast.DefaultSessionTimeout}
	if out.LoRaWAN != want || out.State != multicast.StateScheduled {
		t.Fatalf("got %+v, want %+v", out, want)
	}
	out, err = e.m.StartMulticastGroupSession(ctx, multicast.StartSessionInput{Id: "d", LoRaWAN: multicast.SessionLoRaWAN{DlDr: ip(5)}})
	if err != nil || out.LoRaWAN.DlDr != 5 || out.LoRaWAN.DlFreq != 869100000 {
		t.Fatalf("explicit DlDr: %+v %v", out, err)
	}
}

// A keyless group needs no McAddr: it takes ready frames for any address
// and reports each frame's own address.
func TestKeylessGroupWithoutMcAddr(t *testing.T) {
	e := newEnv(t, t.TempDir(), nil)
	for _, id := range []string{"k1", "k2"} { // two groups without an address do not conflict
		if _, err := e.m.CreateMulticastGroup(ctx, multicast.CreateGroupInput{Id: id, LoRaWAN: multicast.GroupLoRaWAN{
			RfRegion: "EU868", DlClass: "ClassC"}}); err != nil {
			t.Fatal(err)
		}
	}
	start := t0.Add(31 * time.Minute)
	e.session(t, "k1", start, 600, nil)
	phy, err := multicast.BuildFrame([4]byte{0x0a, 0x0b, 0x0c, 0x0d}, 9, 7, []byte("x"), [16]byte{1}, [16]byte{2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.SendDataToMulticastGroup(ctx, multicast.SendDataInput{Id: "k1", PayloadData: base64.StdEncoding.EncodeToString(phy)}); err != nil {
		t.Fatal(err)
	}
	e.runUntil(t, start.Add(time.Minute))
	if len(e.reps) != 1 || e.reps[0].Result.Code != scheduler.Sent {
		t.Fatalf("reports %+v", e.reps)
	}
	if r := e.reps[0]; r.McAddr != [4]byte{0x0a, 0x0b, 0x0c, 0x0d} || r.FPort != 7 {
		t.Errorf("report address %x port %d", r.McAddr, r.FPort)
	}
	g, _ := e.m.GetMulticastGroup(ctx, multicast.GroupIDInput{Id: "k1"})
	if g.LoRaWAN.McAddr != "" || g.LoRaWAN.HasKeys {
		t.Errorf("group %+v", g.LoRaWAN)
	}
}

// UpdateMulticastGroup changes only the fields its body names.
func TestUpdateMulticastGroupPartial(t *testing.T) {
	e := newEnv(t, t.TempDir(), nil)
	if _, err := e.m.CreateMulticastGroup(ctx, multicast.CreateGroupInput{Id: "u", Name: "old", Description: "keep",
		LoRaWAN: multicast.GroupLoRaWAN{RfRegion: "EU868", DlClass: "ClassC", McAddr: addrHex, McNwkSKey: nwkKey, McAppSKey: appKey}}); err != nil {
		t.Fatal(err)
	}
	name := "new"
	if err := e.m.UpdateMulticastGroup(ctx, multicast.UpdateGroupInput{Id: "u", Name: &name}); err != nil {
		t.Fatal(err)
	}
	if err := e.m.UpdateMulticastGroup(ctx, multicast.UpdateGroupInput{Id: "u", LoRaWAN: &multicast.GroupLoRaWAN{DlClass: "ClassB",
		ParticipatingGateways: &multicast.ParticipatingGateways{GatewayList: []string{"gw"}}}}); err != nil {
		t.Fatal(err)
	}
	g, err := e.m.GetMulticastGroup(ctx, multicast.GroupIDInput{Id: "u"})
	if err != nil {
		t.Fatal(err)
	}
	if g.Name != "new" || g.Description != "keep" || g.LoRaWAN.DlClass != "ClassB" || g.LoRaWAN.RfRegion != "EU868" ||
		g.LoRaWAN.McAddr != addrHex || !g.LoRaWAN.HasKeys || g.LoRaWAN.ParticipatingGateways == nil {
		t.Fatalf("after updates %+v", g)
	}
	long := string(make([]rune, 257))
	wantErr(t, e.m.UpdateMulticastGroup(ctx, multicast.UpdateGroupInput{Id: "u", Name: &long}), apierr.Validation, "Name")
	wantErr(t, e.m.UpdateMulticastGroup(ctx, multicast.UpdateGroupInput{Id: "nope", Name: &name}), apierr.ResourceNotFound, "Id")
}

// A configured zero start lead is honoured (DurationsAsGiven), not replaced
// by the 30-minute default.
func TestZeroStartLeadHonoured(t *testing.T) {
	e := newEnv(t, t.TempDir(), nil)
	for _, exact := range []bool{true, false} {
		m, err := multicast.Open(multicast.Config{Dir: t.TempDir(), Clock: e.clk, Tx: e.tx,
			MinStartLead: 0, MaxStartAhead: multicast.DefaultMaxStartAhead, DurationsAsGiven: exact})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.CreateMulticastGroup(ctx, multicast.CreateGroupInput{Id: "z", LoRaWAN: multicast.GroupLoRaWAN{
			RfRegion: "EU868", DlClass: "ClassC"}}); err != nil {
			t.Fatal(err)
		}
		out, err := m.StartMulticastGroupSession(ctx, multicast.StartSessionInput{Id: "z"})
		want := t0
		if !exact {
			want = t0.Add(multicast.DefaultMinStartLead)
		}
		if err != nil || out.LoRaWAN.SessionStartTime != want.Format(time.RFC3339) {
			t.Errorf("exact=%v: %+v %v, want start %s", exact, out.LoRaWAN, err, want)
		}
		m.Stop()
	}
	// As given, a zero MaxStartAhead is refused, not defaulted.
	_, err := multicast.Open(multicast.Config{Dir: t.TempDir(), Clock: e.clk, Tx: e.tx, DurationsAsGiven: true})
	if err == nil || !strings.Contains(err.Error(), "multicast.max_start_ahead") {
		t.Errorf("zero max_start_ahead as given: %v", err)
	}
}

// A keyless class B group without McAddr sends each ready frame at the
// ping slot of the frame's own address.
func TestKeylessClassBWithoutMcAddrUsesTheFrameAddress(t *testing.T) {
	e := newEnv(t, t.TempDir(), nil)
	if _, err := e.m.CreateMulticastGroup(ctx, multicast.CreateGroupInput{Id: "kb", LoRaWAN: multicast.GroupLoRaWAN{
		RfRegion: "EU868", DlClass: "ClassB"}}); err != nil {
		t.Fatal(err)
	}
	start := t0.Add(31 * time.Minute)
	if _, err := e.m.StartMulticastGroupSession(ctx, multicast.StartSessionInput{Id: "kb", LoRaWAN: multicast.SessionLoRaWAN{
		SessionStartTime: start.Format(time.RFC3339), SessionTimeout: ip(1000), PingSlotPeriod: ip(128)}}); err != nil {
		t.Fatal(err)
	}
	addr := lorawan.DevAddr{0x0a, 0x0b, 0x0c, 0x0d}
	phy, err := multicast.BuildFrame([4]byte(addr), 3, 9, []byte("b"), [16]byte{1}, [16]byte{2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.SendDataToMulticastGroup(ctx, multicast.SendDataInput{Id: "kb", PayloadData: base64.StdEncoding.EncodeToString(phy)}); err != nil {
		t.Fatal(err)
	}
	e.runUntil(t, start.Add(5*time.Minute))
	air := e.sim.AirLog()
	if len(air) != 1 || len(e.reps) != 1 || e.reps[0].Result.Code != scheduler.Sent {
		t.Fatalf("%d emissions, reports %+v", len(air), e.reps)
	}
	eu, err := region.Lookup("EU868")
	if err != nil {
		t.Fatal(err)
	}
	first := (gps.Time(start).TimeSinceGPSEpoch() + region.BeaconPeriod - 1).Truncate(region.BeaconPeriod)
	ps, err := scheduler.NextPingSlot(addr, first, 128, eu)
	if err != nil {
		t.Fatal(err)
	}
	if g := gps.Time(air[0].StartTime).TimeSinceGPSEpoch(); g-ps.Time < 0 || g-ps.Time > time.Microsecond {
		t.Errorf("emitted at GPS %s, want the ping slot of %s at %s", g, addr, ps.Time)
	}
}
