package sim

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"time"

	"github.com/lgwagent/lgw/hal"
)

// Uplink is a packet to deliver at a time measured from the simulator's
// creation.
type Uplink struct {
	At     time.Duration
	Packet hal.RxPacket
}

// trafficLine is one line of a traffic file, in the field names of the
// Semtech "rxpk" object where one exists.
type trafficLine struct {
	// At is the end of the packet, in seconds after the simulator starts.
	At   *float64 `json:"at"`
	Freq *float64 `json:"freq"` // MHz
	Datr string   `json:"datr"` // "SF7BW125" or an FSK bit rate
	Codr string   `json:"codr"` // "4/5"
	Chan uint8    `json:"chan"`
	RFCh uint8    `json:"rfch"`
	RSSI float32  `json:"rssi"`
	// RSSIS is the signal RSSI; default rssi.
	RSSIS *float32 `json:"rssis"`
	LSNR  float32  `json:"lsnr"`
	// CRC is "ok" (default), "bad" or "none".
	CRC  string `json:"crc"`
	Data string `json:"data"` // base64 PHYPayload
}

// ParseTraffic reads a JSON-lines traffic file. Blank lines and lines
// starting with # are skipped. Errors name the line and the field.
func ParseTraffic(r io.Reader) ([]Uplink, error) {
	var out []Uplink
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		u, err := parseTrafficLine(line)
		if err != nil {
			return nil, fmt.Errorf("traffic line %d: %w", n, err)
		}
		out = append(out, u)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("traffic: %w", err)
	}
	return out, nil
}

func parseTrafficLine(line []byte) (Uplink, error) {
	var l trafficLine
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return Uplink{}, err
	}
	if l.At == nil || *l.At < 0 || math.IsNaN(*l.At) || *l.At > 1e6 {
		return Uplink{}, fmt.Errorf("at: want seconds from 0 to 1e6")
	}
	if l.Freq == nil || *l.Freq < 100 || *l.Freq > 1000 {
		return Uplink{}, fmt.Errorf("freq: want MHz from 100 to 1000")
	}
	cr := hal.CR4_5
	if l.Codr != "" {
		c, err := hal.ParseCodeRate(l.Codr)
		if err != nil {
			return Uplink{}, fmt.Errorf("codr: %w", err)
		}
		cr = c
	}
	dr, err := hal.ParseDatr(l.Datr, cr)
	if err != nil {
		return Uplink{}, fmt.Errorf("datr: %w", err)
	}
	payload, err := base64.StdEncoding.DecodeString(l.Data)
	if err != nil {
		return Uplink{}, fmt.Errorf("data: not base64: %w", err)
	}
	if len(payload) > hal.MaxPayload {
		return Uplink{}, fmt.Errorf("data: %d bytes, at most %d", len(payload), hal.MaxPayload)
	}
	p := hal.RxPacket{
		Payload: payload, Frequency: uint32(math.Round(*l.Freq * 1e6)), IFChain: l.Chan, RFChain: l.RFCh,
		DataRate: dr, RSSIChannel: l.RSSI, RSSISignal: l.RSSI, SNR: l.LSNR, CRC: hal.CRCOK,
	}
	if l.RSSIS != nil {
		p.RSSISignal = *l.RSSIS
	}
	switch l.CRC {
	case "", "ok":
	case "bad":
		p.CRC = hal.CRCBad
	case "none":
		p.CRC = hal.CRCNone
	default:
		return Uplink{}, fmt.Errorf("crc: %q, want ok, bad or none", l.CRC)
	}
	return Uplink{At: time.Duration(*l.At * float64(time.Second)), Packet: p}, nil
}

type pendingUplink struct {
	at hal.Micros
	p  hal.RxPacket
}

type uplinkQueue []pendingUplink

// AddTraffic queues uplinks at their times after the simulator's creation.
func (s *Sim) AddTraffic(ups []Uplink) {
	for _, u := range ups {
		s.Inject(s.origin.Add(u.At), u.Packet)
	}
}

// Inject queues a packet whose end is at true time at; Receive returns it
// once the counter has reached it, with Count set.
func (s *Sim) Inject(at time.Time, p hal.RxPacket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.micros(at)
	p.Count = m.Count()
	p.Payload = append([]byte(nil), p.Payload...)
	if s.cfg.FineTimestamp && p.CRC == hal.CRCOK {
		pps := s.gps.latchLocked(at)
		if pps != 0 && m-pps < 1000000 {
			p.FineTime, p.HasFineTime = uint32((m-pps)*1000), true
		}
	}
	i := sort.Search(len(s.uplinks), func(i int) bool { return s.uplinks[i].at > m })
	s.uplinks = append(s.uplinks, pendingUplink{})
	copy(s.uplinks[i+1:], s.uplinks[i:])
	s.uplinks[i] = pendingUplink{at: m, p: p}
}

// Receive returns the injected packets whose time has come.
func (s *Sim) Receive() ([]hal.RxPacket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		return nil, fmt.Errorf("sim: receive: %w", hal.ErrNotStarted)
	}
	if err := s.failRecv.take(); err != nil {
		return nil, fmt.Errorf("sim: receive: %w", err)
	}
	now := s.Now()
	n := 0
	for n < len(s.uplinks) && s.uplinks[n].at <= now {
		n++
	}
	if n == 0 {
		return nil, nil
	}
	out := make([]hal.RxPacket, n)
	for i := range out {
		out[i] = s.uplinks[i].p
	}
	s.uplinks = append(s.uplinks[:0], s.uplinks[n:]...)
	s.received += n
	return out, nil
}

// PendingUplinks returns how many injected packets are still to come.
func (s *Sim) PendingUplinks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.uplinks)
}
