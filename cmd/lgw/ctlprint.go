package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lgwagent/lgw/control"
	"github.com/lgwagent/lgw/region"
)

func mhz(hz uint32) string { return strconv.FormatFloat(float64(hz)/1e6, 'f', 3, 64) }

func stamp(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}

func yesNo(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

func printStatus(w io.Writer, s control.Status) {
	c := s.Concentrator
	fmt.Fprintf(w, "daemon\tlgw %s, up %s (since %s)\n", s.Version, s.Uptime.Round(time.Second), stamp(s.Started))
	fmt.Fprintf(w, "gateway\t%s %s\n", s.GatewayID, s.Region)
	conc := c.State + ", board " + c.Board
	if c.Error != "" {
		conc += ": " + c.Error
	}
	fmt.Fprintf(w, "concentrator\t%s\n", conc)
	fmt.Fprintf(w, "chip\t%s EUI %s, counter %d\n", c.Chip, c.EUI, c.Counter)
	fmt.Fprintf(w, "firmware\t%s\n", c.Firmware)
	if c.HasTemperature {
		fmt.Fprintf(w, "temperature\t%.1f °C\n", c.Temperature)
	}
	tr := s.TimeRef
	switch {
	case !tr.GPS:
		fmt.Fprintf(w, "time ref\tno GPS configured\n")
	default:
		fmt.Fprintf(w, "time ref\tGPS %s, time reference %s, %d satellites, last PPS %s\n",
			yesNo(tr.Lock, "locked", "NOT locked"), yesNo(tr.Valid, "valid", "NOT valid"), tr.Satellites, stamp(tr.LastPPS))
		fmt.Fprintf(w, "position\t%.5f, %.5f, %.0f m\n", tr.Latitude, tr.Longitude, tr.Altitude)
	}
	m := s.MQTT
	mq := yesNo(m.Connected, "connected to ", "NOT connected to ") + m.Server
	if !m.Since.IsZero() {
		mq += " since " + stamp(m.Since)
	}
	mq += ", " + strconv.Itoa(m.Buffered) + " buffered"
	if !m.Connected && m.LastError != "" {
		mq += ", last error: " + m.LastError
	}
	if m.Disabled {
		mq = "disabled"
	}
	fmt.Fprintf(w, "mqtt\t%s\n", mq)
	for _, u := range s.UDP {
		line := u.State + " since " + stamp(u.Since)
		if u.State == "unreachable" {
			line = "SERVER UNREACHABLE since " + stamp(u.Since)
		}
		if u.Detail != "" {
			line += ", " + u.Detail
		}
		fmt.Fprintf(w, "udp %s\t%s\n", u.Server, line)
	}
	fmt.Fprintf(w, "queue\t%d scheduled\n", s.QueueDepth)
	fmt.Fprintf(w, "last rx\t%s\n", stamp(s.LastRx))
	fmt.Fprintf(w, "last tx\t%s\n", stamp(s.LastTx))
	fmt.Fprintf(w, "log level\t%s\n", s.LogLevel)
	printStorage(w, s.Storage)
}

// printStorage shows the multicast store's condition; a degraded store
// gets its files and the fix.
func printStorage(w io.Writer, st control.Storage) {
	line := st.Status
	if line == "" {
		line = "unknown"
	}
	if st.Degraded {
		line = "DEGRADED (" + st.Status + "): multicast refused"
	}
	if len(st.Recovered) > 0 {
		line += ", recovered from the previous generation: " + strings.Join(st.Recovered, ", ")
	}
	if st.Lost > 0 {
		line += fmt.Sprintf(", %d accepted messages lost (reported LOST)", st.Lost)
	}
	fmt.Fprintf(w, "storage\t%s\n", line)
	if st.Message != "" {
		fmt.Fprintf(w, "\t%s\n", st.Message)
	}
}

func printQueue(w io.Writer, q []control.QueueItem) {
	if len(q) == 0 {
		fmt.Fprintln(w, "no scheduled transmissions")
		return
	}
	fmt.Fprintln(w, "IN\tTRIGGER\tTMST\tFREQ\tDATR\tPOWER\tSIZE\tCLASS\tORIGIN\tREF")
	for _, it := range q {
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", it.TimeLeft.Round(time.Millisecond), it.Trigger,
			it.Count, mhz(it.Freq), it.Datr, it.Power, it.Size, it.Class, it.Origin, it.Ref)
	}
}

// orDash shows an empty field as "-".
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func printGroups(w io.Writer, gs []control.Group) {
	if len(gs) == 0 {
		fmt.Fprintln(w, "no multicast groups")
		return
	}
	fmt.Fprintln(w, "ID\tNAME\tMCADDR\tCLASS\tREGION\tKEYS\tNEXT FCNT\tSTATUS")
	for _, g := range gs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", g.ID, orDash(g.Name), orDash(g.McAddr), g.Class, g.Region,
			yesNo(g.HasKeys, "yes", "no"), g.NextFCnt, g.Status)
	}
}

func printSessions(w io.Writer, ss []control.Session) {
	if len(ss) == 0 {
		fmt.Fprintln(w, "no multicast sessions")
		return
	}
	fmt.Fprintln(w, "GROUP\tCLASS\tSTATE\tSTART\tEND\tTIMEOUT\tDR\tFREQ\tPING\tQUEUED\tSENT")
	for _, s := range ss {
		ping := "-"
		if s.PingSlotPeriod > 0 {
			// PingSlotPeriod counts 30 ms slots between two ping slots.
			ping = (time.Duration(s.PingSlotPeriod) * region.PingSlotLen).String()
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%d\t%d\n", s.GroupID, s.Class, s.State, stamp(s.Start),
			stamp(s.End), s.Timeout, s.DR, mhz(s.Freq), ping, s.Queued, s.Sent)
	}
}

func printStats(w io.Writer, s control.Stats) {
	fmt.Fprintf(w, "since\t%s\n", stamp(s.Since))
	fmt.Fprintf(w, "rx\t%d received, %d CRC ok, %d bad CRC, %d no CRC, %d dropped\n", s.RxReceived, s.RxOK,
		s.RxBadCRC, s.RxNoCRC, s.RxDropped)
	codes := make([]string, 0, len(s.TxByCode))
	for c := range s.TxByCode {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	others := ""
	for i, c := range codes {
		if i > 0 {
			others += ", "
		}
		others += c + " " + strconv.FormatUint(s.TxByCode[c], 10)
	}
	if others == "" {
		others = "none"
	}
	fmt.Fprintf(w, "tx\t%d requested, %d sent\n", s.TxRequested, s.TxSent)
	fmt.Fprintf(w, "not sent\t%s\n", others)
	fmt.Fprintf(w, "beacons\t%d sent\n", s.Beacons)
	fmt.Fprintf(w, "mqtt\t%d published, %d dropped, %d reconnects\n", s.MQTTPublished, s.MQTTDropped, s.MQTTReconnects)
}
