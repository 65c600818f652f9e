package multicast

import (
	"encoding/hex"
	"fmt"
	"math/bits"
	"strings"
	"time"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/scheduler"
)

// Limits of the seed API (spec-classb-multicast.md §3, seed 000).
const (
	MinSessionTimeout       = 60
	MaxSessionTimeoutClassB = 2 * 24 * 3600 // 2 days
	MaxSessionTimeoutClassC = 18 * 3600     // 18 hours
	MinPingSlotPeriod       = region.MinPingPeriod
	MaxPingSlotPeriod       = region.PingSlots
	// DefaultPingSlotPeriod is RP002's default ping-slot periodicity 7:
	// one slot per 128 s beacon period.
	DefaultPingSlotPeriod = region.PingSlots
	MinFPort              = 1
	MaxFPort              = 223
	// MaxPayloadDataChars is the API's limit on the base64 PayloadData.
	MaxPayloadDataChars = 2048
	minDlFreq           = 100_000_000
	maxDlFreq           = 1_000_000_000
	maxDlDr             = 15
)

// DefaultDlDr returns the default session data rate of a region and class:
// the seed's 8 for US915 and 0 for EU868 (both classes), elsewhere the
// ping-slot data rate for class B and the RX2 data rate for class C.
func DefaultDlDr(r *region.Region, class string) int {
	switch r.Name() {
	case region.US915:
		return 8
	case region.EU868:
		return 0
	}
	if class == ClassB {
		return r.PingSlotDR()
	}
	_, dr := r.RX2()
	return dr
}

// DefaultDlFreq returns the default session frequency of a region and
// class for group address addr: RX2 for class C; for class B the region's
// fixed ping-slot frequency, or 0 in regions where ping slots hop over the
// beacon channels (US915, AU915, CN470) — 0 then means "hop per beacon
// period", as TS005-2.0.0 reads DLFreq 0.
func DefaultDlFreq(r *region.Region, class string, addr [4]byte) (uint32, error) {
	if class == ClassC {
		f, _ := r.RX2()
		return f, nil
	}
	if r.PingSlotsHop() {
		return 0, nil
	}
	return r.PingSlotFrequency(devAddr(addr), 0)
}

// checkDlDr checks that dr is a downlink data rate of the region that lgw
// can transmit.
func checkDlDr(r *region.Region, dr int) error {
	if dr < 0 || dr > maxDlDr {
		return apierr.Newf(apierr.Validation, "LoRaWAN.DlDr", "%d is out of range 0 to %d", dr, maxDlDr)
	}
	bd, err := r.Band().GetDataRate(dr)
	if err != nil {
		return apierr.Newf(apierr.Validation, "LoRaWAN.DlDr", "region %s has no data rate %d", r.Name(), dr)
	}
	if i, err := r.Band().GetDataRateIndex(false, bd); err != nil || i != dr {
		return apierr.Newf(apierr.Validation, "LoRaWAN.DlDr", "data rate %d of region %s is not a downlink data rate", dr, r.Name())
	}
	if _, err := r.DataRate(dr); err != nil {
		return &apierr.Error{Kind: apierr.Validation, Field: "LoRaWAN.DlDr", Message: "not transmittable", Err: err}
	}
	if _, err := r.MaxPayload(dr); err != nil {
		return &apierr.Error{Kind: apierr.Validation, Field: "LoRaWAN.DlDr", Message: "no payload size", Err: err}
	}
	return nil
}

// checkDlFreq checks that f is a downlink frequency of the region: within
// the API's 100 MHz to 1 GHz, within the region's band, a multiple of
// 100 Hz (TS005 codes DLFreq in 100 Hz steps), and one of the fixed
// downlink channels where the region has them.
func checkDlFreq(r *region.Region, f uint32) error {
	const field = "LoRaWAN.DlFreq"
	if f < minDlFreq || f > maxDlFreq {
		return apierr.Newf(apierr.Validation, field, "%d Hz is out of range 100000000 to 1000000000", f)
	}
	if rng := r.TxFreqRange(); !rng.Contains(f) {
		return apierr.Newf(apierr.Validation, field, "%d Hz is outside region %s (%d to %d Hz)", f, r.Name(), rng.Min, rng.Max)
	}
	if f%100 != 0 {
		return apierr.Newf(apierr.Validation, field, "%d Hz is not a multiple of 100 Hz", f)
	}
	if !r.DownlinkChannel(f) {
		return apierr.Newf(apierr.Validation, field, "%d Hz is not a downlink channel of region %s (923.3 MHz + n × 600 kHz, n = 0 to 7)", f, r.Name())
	}
	return nil
}

// RoundSessionTimeout applies the seed's timeout rule: secs must be within
// [60, max] (max 172800 s class B, 64800 s class C); a value that is not a
// power of two is rounded up to the next power of two when that stays
// within max, else down to the largest power of two within max
// (131072 s class B, 32768 s class C). docs/multicast.md says why.
func RoundSessionTimeout(class string, secs int) (int, error) {
	const field = "LoRaWAN.SessionTimeout"
	maxS := MaxSessionTimeoutClassC
	if class == ClassB {
		maxS = MaxSessionTimeoutClassB
	}
	if secs < MinSessionTimeout || secs > maxS {
		return 0, apierr.Newf(apierr.Validation, field, "%d s is out of range %d to %d s for %s", secs, MinSessionTimeout, maxS, class)
	}
	up := 1 << bits.Len(uint(secs-1))
	if up <= maxS {
		return up, nil
	}
	return 1 << (bits.Len(uint(maxS)) - 1), nil
}

// checkPingSlotPeriod checks a class B ping-slot period: a power of two
// from 32 to 4096 slots (scheduler.ValidPingPeriod).
func checkPingSlotPeriod(p int) error {
	if scheduler.ValidPingPeriod(p) != nil {
		return apierr.Newf(apierr.Validation, "LoRaWAN.PingSlotPeriod", "%d is not a power of two from %d to %d", p,
			MinPingSlotPeriod, MaxPingSlotPeriod)
	}
	return nil
}

// parseStartTime parses SessionStartTime and checks the window
// [now+minLead, now+maxAhead].
func parseStartTime(s string, now time.Time, minLead, maxAhead time.Duration) (time.Time, error) {
	const field = "LoRaWAN.SessionStartTime"
	if s == "" {
		return time.Time{}, apierr.Newf(apierr.Validation, field, "is required (RFC 3339 UTC)")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, apierr.Newf(apierr.Validation, field, "%q is not an RFC 3339 time", s)
	}
	t = t.UTC()
	if t.Before(now.Add(minLead)) {
		return time.Time{}, apierr.Newf(apierr.Validation, field, "%s is less than %s after now (%s)",
			t.Format(time.RFC3339), minLead, now.UTC().Format(time.RFC3339))
	}
	if t.After(now.Add(maxAhead)) {
		return time.Time{}, apierr.Newf(apierr.Validation, field, "%s is more than %s ahead of now (%s)",
			t.Format(time.RFC3339), maxAhead, now.UTC().Format(time.RFC3339))
	}
	return t, nil
}

// checkFPort checks an FPort.
func checkFPort(p int) error {
	if p < MinFPort || p > MaxFPort {
		return apierr.Newf(apierr.Validation, "WirelessMetadata.LoRaWAN.FPort", "%d is out of range 1 to 223", p)
	}
	return nil
}

// checkID checks a group Id: 1 to 256 characters of letters, digits, '-',
// '_' and '.' (they become file content and MQTT topic parts).
func checkID(id string) error {
	if id == "" || len(id) > 256 {
		return apierr.Newf(apierr.Validation, "Id", "must be 1 to 256 characters")
	}
	for _, c := range id {
		ok := c == '-' || c == '_' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !ok {
			return apierr.Newf(apierr.Validation, "Id", "%q: only letters, digits, '-', '_' and '.' are allowed", id)
		}
	}
	return nil
}

// parseHex decodes exactly n bytes of hex.
func parseHex(field, s string, n int) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != n {
		return nil, apierr.Newf(apierr.Validation, field, "want %d hex digits", 2*n)
	}
	return b, nil
}

// groupParams is a validated group definition.
type groupParams struct {
	region   *region.Region
	class    string
	addr     [4]byte
	hasKeys  bool
	nwk, app [16]byte
	fcnt     uint32
}

// parseGroup validates a group's LoRaWAN settings.
func parseGroup(in GroupLoRaWAN) (groupParams, error) {
	var p groupParams
	r, err := region.Lookup(in.RfRegion)
	if err != nil {
		return p, &apierr.Error{Kind: apierr.Validation, Field: "LoRaWAN.RfRegion", Message: "unknown region", Err: err}
	}
	if _, err := r.Beacon(); err != nil {
		return p, apierr.Newf(apierr.Validation, "LoRaWAN.RfRegion", "region %s has no class B parameters", r.Name())
	}
	p.region = r
	switch in.DlClass {
	case ClassB, ClassC:
		p.class = in.DlClass
	default:
		return p, apierr.Newf(apierr.Validation, "LoRaWAN.DlClass", "%q: want ClassB or ClassC", in.DlClass)
	}
	a, err := parseHex("LoRaWAN.McAddr", in.McAddr, 4)
	if err != nil {
		return p, err
	}
	copy(p.addr[:], a)
	switch {
	case in.McNwkSKey == "" && in.McAppSKey == "":
		if in.FCnt != nil {
			return p, apierr.Newf(apierr.Validation, "LoRaWAN.FCnt", "only for a group with keys (the network builds the frames)")
		}
	case in.McNwkSKey == "":
		return p, apierr.Newf(apierr.Validation, "LoRaWAN.McNwkSKey", "required with McAppSKey")
	case in.McAppSKey == "":
		return p, apierr.Newf(apierr.Validation, "LoRaWAN.McAppSKey", "required with McNwkSKey")
	default:
		k, err := parseHex("LoRaWAN.McNwkSKey", in.McNwkSKey, 16)
		if err != nil {
			return p, err
		}
		copy(p.nwk[:], k)
		if k, err = parseHex("LoRaWAN.McAppSKey", in.McAppSKey, 16); err != nil {
			return p, err
		}
		copy(p.app[:], k)
		p.hasKeys = true
		if in.FCnt != nil {
			p.fcnt = *in.FCnt
		}
	}
	return p, nil
}

// equal reports whether two definitions are the same group.
func (p groupParams) equal(o groupParams) bool {
	return p.region.Name() == o.region.Name() && p.class == o.class && p.addr == o.addr &&
		p.hasKeys == o.hasKeys && p.nwk == o.nwk && p.app == o.app && p.fcnt == o.fcnt
}

// sessionParams is a validated, effective session schedule.
type sessionParams struct {
	DlDr           int       `json:"dlDr"`
	DlFreq         uint32    `json:"dlFreq"`
	Start          time.Time `json:"start"`
	Timeout        int       `json:"timeout"`
	PingSlotPeriod int       `json:"pingSlotPeriod,omitempty"`
}

// end returns when the session ends.
func (s *sessionParams) end() time.Time { return s.Start.Add(time.Duration(s.Timeout) * time.Second) }

// parseSession validates a session request for a group and applies the
// defaults.
func parseSession(in SessionLoRaWAN, r *region.Region, class string, addr [4]byte, now time.Time, cfg *Config) (sessionParams, error) {
	var s sessionParams
	start, err := parseStartTime(in.SessionStartTime, now, cfg.MinStartLead, cfg.MaxStartAhead)
	if err != nil {
		return s, err
	}
	s.Start = start
	if in.SessionTimeout == nil {
		return s, apierr.Newf(apierr.Validation, "LoRaWAN.SessionTimeout", "is required (seconds)")
	}
	if s.Timeout, err = RoundSessionTimeout(class, *in.SessionTimeout); err != nil {
		return s, err
	}
	s.DlDr = DefaultDlDr(r, class)
	if in.DlDr != nil {
		s.DlDr = *in.DlDr
	}
	if err := checkDlDr(r, s.DlDr); err != nil {
		return s, err
	}
	if in.DlFreq != nil {
		if err := checkDlFreq(r, *in.DlFreq); err != nil {
			return s, err
		}
		s.DlFreq = *in.DlFreq
	} else if s.DlFreq, err = DefaultDlFreq(r, class, addr); err != nil {
		return s, apierr.Wrap(apierr.InternalServer, err, "default frequency of %s", r.Name())
	}
	switch {
	case class == ClassC && in.PingSlotPeriod != nil:
		return s, apierr.Newf(apierr.Validation, "LoRaWAN.PingSlotPeriod", "applies to ClassB groups only")
	case class == ClassB && in.PingSlotPeriod != nil:
		if err := checkPingSlotPeriod(*in.PingSlotPeriod); err != nil {
			return s, err
		}
		s.PingSlotPeriod = *in.PingSlotPeriod
	case class == ClassB:
		s.PingSlotPeriod = DefaultPingSlotPeriod
	}
	return s, nil
}

// output renders the effective schedule.
func (s *sessionParams) output() SessionLoRaWANOutput {
	return SessionLoRaWANOutput{DlDr: s.DlDr, DlFreq: s.DlFreq, SessionStartTime: s.Start.UTC().Format(time.RFC3339Nano),
		SessionTimeout: s.Timeout, PingSlotPeriod: s.PingSlotPeriod}
}

// maxPayload returns N of the session's data rate.
func maxPayload(r *region.Region, dr int) (int, error) {
	n, err := r.MaxPayload(dr)
	if err != nil {
		return 0, fmt.Errorf("max payload: %w", err)
	}
	return n, nil
}

// normHex lowercases a hex string for storage.
func normHex(b []byte) string { return strings.ToLower(hex.EncodeToString(b)) }
